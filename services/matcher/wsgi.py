"""The WSGI entry point: ``gunicorn -w 1 --threads 8 -k gthread services.matcher.wsgi:app``."""

from services.matcher.app import create_app

app = create_app()
