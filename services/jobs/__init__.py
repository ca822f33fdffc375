"""The jobs service: the employers, vacancies and applications domains, with a change feed."""
