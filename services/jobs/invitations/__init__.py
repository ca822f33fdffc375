"""Invitations: an employer asks a consenting candidate to apply to one of its open vacancies."""
