"""App factory of the learner service."""

from __future__ import annotations

from flask import Flask

from services.common.app import create_service_app

from .courses import views as courses
from .enrolments import views as enrolments
from .learners import views as learners
from .outcomes import service as outcomes_service
from .outcomes import views as outcomes
from .reports import views as reports
from .settings import ALIAS, Settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the learner service app; follow the jobs feed unless testing."""
    settings = settings or Settings.from_env()
    app = create_service_app(
        "learner",
        settings,
        alias=ALIAS,
        blueprints=[learners.bp, outcomes.bp, courses.bp, enrolments.bp, reports.bp],
        title="Qabilet learner service",
    )
    if settings.follow_jobs and not settings.testing:
        # Each gunicorn worker follows on its own; the unique application id keeps hires single.
        follower = outcomes_service.make_follower(settings)
        follower.start(settings.follow_interval)
        app.extensions["jobs_follower"] = follower
    return app
