"""Enrolments: a learner on a course, enrolled, then completed (skills follow) or dropped."""
