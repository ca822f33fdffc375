"""WSGI entry point: ``gunicorn -w 2 -k gthread --threads 4 services.jobs.wsgi:app``."""

from __future__ import annotations

from .app import create_app

app = create_app()
# gunicorn's default name, for `gunicorn services.jobs.wsgi` without ":app".
application = app
