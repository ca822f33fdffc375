"""Learners: profiles, the skills on them, consent, and deletion (privacy)."""
