"""App factory of the learner service."""

from __future__ import annotations

from flask import Flask

from services.common.app import create_service_app

from . import course_views, outcomes, reports_views, views
from .settings import ALIAS, Settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the learner service app; follow the jobs feed unless testing."""
    settings = settings or Settings.from_env()
    app = create_service_app(
        "learner",
        settings,
        alias=ALIAS,
        blueprints=[views.bp, course_views.bp, reports_views.bp],
        title="Qabilet learner service",
    )
    if settings.follow_jobs and not settings.testing:
        # Each gunicorn worker follows on its own; the unique application id keeps hires single.
        follower = outcomes.make_follower(settings)
        follower.start(settings.follow_interval)
        app.extensions["jobs_follower"] = follower
    return app
