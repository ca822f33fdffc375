"""Recommendations from the in-memory indexes: state, rows, ranking, candidates, paths, reports."""
