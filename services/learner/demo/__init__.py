"""Demo data: generated learners enrolled on imported courses, and generated hires."""
