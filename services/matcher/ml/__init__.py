"""The ML core: embeddings, skill extraction, title matching, index, coverage, set cover."""
