"""Outcomes: hires read from the jobs feed, one per application."""
