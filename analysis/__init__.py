"""Compute over the graph: technology mapping, embeddings, clusters, counts and rankings; results are written back."""
