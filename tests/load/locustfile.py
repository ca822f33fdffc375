"""Qabilet's working day under load: learners 85%, employers 12%, ministry 3% (see users.py).

Run through ``make load`` (scripts/load.py makes the accounts and summarises the run).
"""

from tests.load.users import Employer, Learner, Ministry

__all__ = ["Employer", "Learner", "Ministry"]
