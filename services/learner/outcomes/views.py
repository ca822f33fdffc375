"""HTTP views of outcomes: a learner's hires and how far the jobs feed has been followed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from services.common.api import Page, PageQuery, endpoint
from services.common.feed import FeedFollower

from . import service
from .schemas import FeedStatus, OutcomeRead, SyncStatus

bp = Blueprint("outcomes", __name__)


@endpoint(
    bp,
    "GET",
    "/learners/<learner_id>/outcomes",
    query=PageQuery,
    response=Page[OutcomeRead],
    tags=["outcomes"],
)
def list_learner_outcomes(learner_id: str, query: PageQuery) -> dict[str, Any]:
    """List a learner's hires, newest first."""
    return service.for_learner(learner_id=learner_id, page=query)


@endpoint(bp, "GET", "/sync/status", response=SyncStatus, tags=["sync"])
def get_sync_status() -> SyncStatus:
    """Tell how far the jobs feed (hires) has been followed."""
    follower: FeedFollower | None = current_app.extensions.get("jobs_follower")
    if follower is None:
        return SyncStatus(jobs=FeedStatus(cursor=service.stored_cursor(), lag=None, running=False))
    return SyncStatus(
        jobs=FeedStatus(
            cursor=follower.cursor, lag=follower.lag, running=True, last_error=follower.last_error
        )
    )
