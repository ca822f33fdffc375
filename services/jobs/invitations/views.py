"""HTTP views of invitations: parse, call the service layer, serialise."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from services.common.api import Page, endpoint
from services.common.pagination import paginate

from . import service as invitations
from .models import Invitation
from .schemas import InvitationCreate, InvitationQuery, InvitationRead

bp = Blueprint("invitations", __name__)

TAGS = ["invitations"]


@endpoint(
    bp, "GET", "/invitations", query=InvitationQuery, response=Page[InvitationRead], tags=TAGS
)
def list_invitations(query: InvitationQuery) -> dict[str, Any]:
    """List invitations by vacancy, employer, learner or status, newest first."""
    return paginate(invitations.get_all(query=query), query, InvitationRead)


@endpoint(
    bp,
    "POST",
    "/invitations",
    body=InvitationCreate,
    response=InvitationRead,
    status=201,
    tags=TAGS,
    errors={
        403: "the vacancy belongs to another employer",
        409: "the vacancy is closed, or the learner was already invited or applied",
    },
)
def create_invitation(body: InvitationCreate) -> Invitation:
    """Invite a learner to apply to an open vacancy."""
    return invitations.create(data=body)


@endpoint(bp, "GET", "/invitations/<invitation_id>", response=InvitationRead, tags=TAGS)
def get_invitation(invitation_id: str) -> Invitation:
    """Return one invitation."""
    return invitations.get(invitation_id=invitation_id)


@endpoint(
    bp,
    "POST",
    "/invitations/<invitation_id>/decline",
    response=InvitationRead,
    tags=TAGS,
    errors={409: "the invitation was already declined or met by an application"},
)
def decline_invitation(invitation_id: str) -> Invitation:
    """Decline an invitation (the learner's answer; it is not sent again)."""
    return invitations.decline(invitation_id=invitation_id)
