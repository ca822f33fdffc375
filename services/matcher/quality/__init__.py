"""Quality of the ML core: the evaluation sets and `make eval`."""
