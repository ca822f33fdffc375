"""Courses: the catalogue, its in-memory list, and the edX/Coursera importers."""
