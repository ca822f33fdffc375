"""Shared infrastructure for every Qabilet service: settings, store, errors, API, feeds, logs."""
