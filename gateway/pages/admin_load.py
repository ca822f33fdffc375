"""The admin's load-run page: start a bounded run of the load test and watch it to its figures."""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from services.common.errors import Conflict

from ..ministry.models import LoadRun
from ..ministry.schemas import read_run
from . import bp, loadrun
from .web import _, me, page

HISTORY_SHOWN = 10
DEFAULT_USERS = 10
DEFAULT_SECONDS = 30


def _history() -> list[dict[str, Any]]:
    runs = LoadRun.objects.order_by("-started_at").limit(HISTORY_SHOWN)
    return [read_run(r).model_dump() for r in runs]


def _render(form: dict[str, str], errors: list[str], status: int = 200) -> tuple[str, int]:
    html = render_template(
        "admin/load.html",
        form=form,
        errors=errors,
        run=loadrun.status(),
        history=_history(),
        available=loadrun.can_run(),
        max_users=loadrun.MAX_USERS,
        min_seconds=loadrun.MIN_SECONDS,
        max_seconds=loadrun.MAX_SECONDS,
    )
    return html, status


@bp.get("/admin/load")
@page("admin")
def admin_load() -> tuple[str, int]:
    """Show the load-run form, the run going (or the last one) and the load-test history."""
    return _render({"users": str(DEFAULT_USERS), "seconds": str(DEFAULT_SECONDS)}, [])


@bp.post("/admin/load")
@page("admin")
def admin_start_load() -> Any:
    """Start a load run once the admin confirmed it (at most 50 users for 60 s, one at a time)."""
    form = {k: request.form.get(k, "") for k in ("users", "seconds")}
    users, seconds, wrong = loadrun.check(
        form["users"], form["seconds"], request.form.get("confirm") == "on"
    )
    limits = {"n": loadrun.MAX_USERS, "lo": loadrun.MIN_SECONDS, "hi": loadrun.MAX_SECONDS}
    errors = [_(f"load.bad_{name}", **limits) for name in wrong]
    if not loadrun.can_run():
        errors.append(_("load.unavailable"))
    if errors:
        return _render(form, errors, 422)
    try:
        loadrun.start(users, seconds, by=me().email)
    except Conflict:
        return _render(form, [_("load.busy")], 409)
    flash(_("load.started", users=users, seconds=seconds), "ok")
    return redirect(url_for("pages.admin_load"))


@bp.get("/admin/load/status")
@page("admin")
def admin_load_status() -> Response:
    """Answer the page's polling: the run's state, elapsed seconds and the end of its log."""
    run = loadrun.status()
    if run is None:
        return jsonify({"running": False, "run_id": None})
    shown = ("run_id", "users", "seconds", "running", "exit_code", "elapsed", "log")
    body = {k: run.get(k) for k in shown}
    body["text"] = status_line(run)
    return jsonify(body)


@bp.app_template_global()
def load_status_line(run: dict[str, Any]) -> str:
    """Return the template's sentence about a run."""
    return status_line(run)


def status_line(run: dict[str, Any]) -> str:
    """Say in the page's language whether the run goes (and how far) or how it ended."""
    if run["running"]:
        return _("load.running", elapsed=run["elapsed"], seconds=run["seconds"], users=run["users"])
    code = run.get("exit_code")
    if code == 0:
        return _("load.done_ok")
    if code == 1:
        return _("load.done_failures")
    if code is None:
        return _("load.done_unknown")
    return _("load.done_error", code=code)
