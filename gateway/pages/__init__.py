"""Server-rendered pages for learners, employers, the ministry and admins (kk / ru / en)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)

from ..ministry import pages as ministry_pages  # noqa: E402,F401  (the dashboard's views)
from . import admin, employer, errors, indexing, learner, provider, session  # noqa: E402,F401
