"""Kizashi: a technology horizon-scanning knowledge graph for economic security."""

__version__ = "0.1.0"
