"""Metrics: each a small module with a function over documents, and its definition in the docstring."""
