"""App factory of the learner service."""

from __future__ import annotations

from flask import Flask

from services.common import warmup
from services.common.app import create_service_app

from .courses import index as course_index
from .courses import views as courses
from .courses.schemas import CourseQuery
from .enrolments import views as enrolments
from .learners import views as learners
from .outcomes import service as outcomes_service
from .outcomes import views as outcomes
from .reports import service as report_service
from .reports import views as reports
from .reports.schemas import Filters
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
    if settings.warm_up and settings.read_models and not settings.testing:
        app.extensions["warm_up"] = warmup.start(app, warm_steps())
    return app


def warm_steps() -> list[warmup.Step]:
    """What a learner worker builds as it starts: the course list and the ministry's reports."""
    everyone = Filters()
    return [
        ("courses", lambda: course_index.get_all(CourseQuery.model_validate({}))),
        ("funnel", lambda: report_service.funnel(filters=everyone)),
        ("outcomes", lambda: report_service.outcomes(filters=everyone)),
        ("providers", lambda: report_service.providers(filters=everyone)),
    ]
