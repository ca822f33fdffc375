"""Learner service: learners, courses, enrolments and employment outcomes."""
