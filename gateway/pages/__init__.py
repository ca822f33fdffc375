"""Server-rendered pages for learners, employers, the ministry and admins (kk / ru / en)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)

from ..ministry import pages as ministry_pages  # noqa: E402,F401  (the dashboard's views)
from . import (  # noqa: E402,F401  (their views register on bp)
    admin,
    admin_load,
    employer,
    errors,
    indexing,
    invitations,
    labels,
    learner,
    provider,
    provider_upload,
    session,
)
