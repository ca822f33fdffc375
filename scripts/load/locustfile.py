"""Qabilet's working day under load: learners 85%, employers 12%, ministry 3% (see users.py).

Run through ``make load`` (``python -m scripts.load`` makes the accounts and summarises the run).
"""

from scripts.load.users import Employer, Learner, Ministry

__all__ = ["Employer", "Learner", "Ministry"]
