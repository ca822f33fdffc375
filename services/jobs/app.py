"""App factory of the jobs service: employers, vacancies, applications and invitations."""

from __future__ import annotations

from flask import Flask

from services.common.app import create_service_app

from .applications.views import bp as applications
from .employers.views import bp as employers
from .invitations.views import bp as invitations
from .settings import ALIAS, Settings
from .vacancies.views import bp as vacancies


def create_app(settings: Settings | None = None) -> Flask:
    """Build the jobs service app (the store connects lazily, on first use)."""
    settings = settings or Settings.from_env()
    return create_service_app(
        "jobs",
        settings,
        alias=ALIAS,
        blueprints=[employers, vacancies, applications, invitations],
        title="Qabilet jobs service",
    )
