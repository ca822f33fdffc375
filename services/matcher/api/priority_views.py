"""``POST /sync/priority``: index one learner or vacancy now, ahead of the feed backlog.

A person's own edit (a changed CV, a rejected skill, withdrawn consent, a closed vacancy) must
show in their recommendations and in candidate lists at once, even while the matcher is
thousands of events behind. Whoever forwards such an edit (the gateway) pokes the matcher with
the id; the matcher re-reads that one record from its owner on its interactive lane.
"""

from __future__ import annotations

from typing import Any, Literal

from flask import Blueprint, current_app
from pydantic import BaseModel, Field

from services.common.api import Schema, endpoint

bp = Blueprint("matcher_priority", __name__)


class PriorityIn(Schema):
    """The item whose owner changed it."""

    kind: Literal["learner", "vacancy"]
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class PriorityOut(BaseModel):
    kind: str
    id: str
    result: str = Field(
        description="indexed (done), gone (the owner has no such item), queued (still "
        "running: it shows a moment later) or unavailable (the owner does not answer)"
    )


@endpoint(
    bp,
    "POST",
    "/sync/priority",
    body=PriorityIn,
    response=PriorityOut,
    tags=["sync"],
)
def post_priority(body: PriorityIn) -> dict[str, Any]:
    """Re-read one learner or vacancy from its owner ahead of the feed backlog."""
    sync = current_app.extensions["matcher_sync"]
    return {"kind": body.kind, "id": body.id, "result": sync.priority(body.kind, body.id)}
