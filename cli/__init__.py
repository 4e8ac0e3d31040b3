"""The `kizashi` command: the top layer, which nothing imports."""

__version__ = "0.1.0"
