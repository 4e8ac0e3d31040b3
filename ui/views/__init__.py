"""The dashboard pages, one module each, run by ui/app.py."""
