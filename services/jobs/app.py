"""App factory of the jobs service."""

from __future__ import annotations

from flask import Flask

from services.common.app import create_service_app

from .settings import ALIAS, Settings
from .views import bp


def create_app(settings: Settings | None = None) -> Flask:
    """Build the jobs service app (the store connects lazily, on first use)."""
    settings = settings or Settings.from_env()
    return create_service_app(
        "jobs", settings, alias=ALIAS, blueprints=[bp], title="Qabilet jobs service"
    )
