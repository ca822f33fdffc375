"""Vacancies: posting, partial updates, close/reopen, filtered lists and the hh.kz import."""
