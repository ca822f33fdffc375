"""The jobs service: employers, vacancies, applications and hires, with a change feed."""
