"""The bottom layer: settings, the error tree, typed records and console helpers. Imports nothing of ours."""
