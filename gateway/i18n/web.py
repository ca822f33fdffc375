"""Flask-Babel on the gateway: the page's locale, and dates and numbers written in it."""

from __future__ import annotations

import decimal
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import flask_babel
from flask import has_request_context
from flask.sansio.app import App

from .catalogues import TRANSLATIONS_DIR, compile_catalogues

DEFAULT_LOCALE = "ru"
EMPTY = "—"


def init_babel(app: App, page_lang: Callable[[], str]) -> None:
    """Attach Flask-Babel with the page's language as its locale, and the formatting filters."""
    compile_catalogues()  # a fresh clone has no .mo files yet
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)

    def locale() -> str:
        return page_lang() if has_request_context() else DEFAULT_LOCALE

    # Not Flask-Babel's Jinja set-up: its "_" formats with %, the pages' "_" with {} (web.py).
    flask_babel.Babel(app, locale_selector=locale, configure_jinja=False)
    app.jinja_env.filters.update(
        day=format_day, moment=format_moment, number=format_number, share=format_share
    )


def _as_datetime(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def format_day(value: Any, style: str = "medium") -> str:
    """Return a date (a datetime, a date or ISO text) as the page's locale writes it."""
    when = _as_datetime(value)
    if when is None:
        return str(value) if value else EMPTY
    return str(flask_babel.format_date(when, style))


def format_moment(value: Any) -> str:
    """Return a date and time (UTC, as stored) as the page's locale writes them."""
    when = _as_datetime(value)
    if not isinstance(when, datetime):
        return format_day(value)
    return f"{flask_babel.format_date(when, 'medium')} {flask_babel.format_time(when, 'short')}"


def format_number(value: Any, digits: int | None = None) -> str:
    """Return a number with the locale's separators (``digits`` after the point, if given)."""
    if value is None:
        return EMPTY
    try:
        if digits is None:
            return str(flask_babel.format_decimal(value))
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return str(flask_babel.format_decimal(value, format=pattern))
    except decimal.InvalidOperation:
        # Past decimal's 28 digits Babel cannot round; such a figure is shown as Python writes it.
        return f"{value:.{digits or 0}e}" if isinstance(value, int | float) else str(value)


def format_share(value: Any) -> str:
    """Return a share of one (0.42) as the locale writes a percentage ("42 %" in Russian)."""
    if value is None:
        return EMPTY
    return str(flask_babel.format_percent(value))
