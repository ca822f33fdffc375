"""The gateway as a WSGI app: ``gunicorn gateway.wsgi:app``."""

from gateway.app import create_app

app = create_app()
# gunicorn's default name, for `gunicorn gateway.wsgi` without ":app".
application = app
