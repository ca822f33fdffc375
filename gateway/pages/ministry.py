"""The ministry's dashboard: a placeholder page that the reports work will fill."""

from __future__ import annotations

from . import bp
from .web import page


@bp.get("/ministry")
@page("ministry", "admin")
def ministry_dashboard() -> str:
    """Show the ministry dashboard (reports and charts come in template block `dashboard`)."""
    from ..ministry import dashboard  # ministry hook: the dashboard lives in gateway/ministry.py

    return dashboard()
