"""Applications: one per learner and vacancy, moved through the hiring state machine."""
