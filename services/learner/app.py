"""App factory of the learner service."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from flask import Blueprint, Flask

from services.common.app import create_service_app

from . import course_views, outcomes, views
from .settings import ALIAS, Settings

# Modules named reports*.py in this package (ministry statistics, maintained separately)
# contribute their blueprint ``bp`` when present.
OPTIONAL_PREFIX = "reports"


def blueprints() -> list[Blueprint]:
    """Return every blueprint the service serves."""
    found = [views.bp, course_views.bp]
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name.startswith(OPTIONAL_PREFIX):
            bp = getattr(importlib.import_module(f"services.learner.{module.name}"), "bp", None)
            if isinstance(bp, Blueprint):
                found.append(bp)
    return found


def create_app(settings: Settings | None = None) -> Flask:
    """Build the learner service app; follow the jobs feed unless testing."""
    settings = settings or Settings.from_env()
    app = create_service_app(
        "learner", settings, alias=ALIAS, blueprints=blueprints(), title="Qabilet learner service"
    )
    if settings.follow_jobs and not settings.testing:
        # Each gunicorn worker follows on its own; the unique application id keeps hires single.
        follower = outcomes.make_follower(settings)
        follower.start(settings.follow_interval)
        app.extensions["jobs_follower"] = follower
    return app
