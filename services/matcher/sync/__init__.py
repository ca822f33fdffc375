"""The matcher's copies of vacancies, learners and courses, kept current from the feeds."""
