"""The tools behind the make targets, run as modules (``python -m scripts.load``)."""
