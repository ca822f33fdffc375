"""`make load` (``python -m scripts.load``): accounts through the admin API, then a locust run."""
