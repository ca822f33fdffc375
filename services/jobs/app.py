"""App factory of the jobs service: employers, vacancies, applications and invitations."""

from __future__ import annotations

from flask import Flask

from services.common import warmup
from services.common.app import create_service_app

from .applications.views import bp as applications
from .employers.views import bp as employers
from .invitations.views import bp as invitations
from .settings import ALIAS, Settings
from .vacancies import reads as vacancy_reads
from .vacancies.schemas import VacancyQuery
from .vacancies.views import bp as vacancies


def create_app(settings: Settings | None = None) -> Flask:
    """Build the jobs service app (the store connects lazily, on first use)."""
    settings = settings or Settings.from_env()
    app = create_service_app(
        "jobs",
        settings,
        alias=ALIAS,
        blueprints=[employers, vacancies, applications, invitations],
        title="Qabilet jobs service",
    )
    if settings.warm_up and settings.read_models and not settings.testing:
        app.extensions["warm_up"] = warmup.start(app, warm_steps())
    return app


def warm_steps() -> list[warmup.Step]:
    """What a jobs worker builds as it starts: the vacancy list in its default order."""
    return [("vacancies", lambda: vacancy_reads.list_page(query=VacancyQuery.model_validate({})))]
