"""WSGI entry point: ``gunicorn services.learner.wsgi:app``."""

from services.learner.app import create_app

app = create_app()
