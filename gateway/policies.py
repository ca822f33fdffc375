"""Who may call what: the admin rule, stated once, and the policies the route tables name.

A :class:`Policy` says which roles a route lets through, which ownership check those roles then
pass, and what happens to every call let through (body rules, redaction, the access log). The
admin rule holds for every policy unless it says ``admin=False`` (the routes about the caller's
own learner or employer profile, which an admin does not have):

- admin may read and change everything;
- the ministry sees aggregates only: every route about a person answers 403;
- a learner reaches only their own profile, enrolments, applications, outcomes and
  recommendations (403 for anyone else's);
- an employer manages only their own employer profile and vacancies, sees applications and
  candidates only of their own vacancies, and reads a learner's profile only if that learner
  applied to one of their vacancies (the checks are in :mod:`gateway.ownership`, the redaction
  of what each audience sees in :mod:`gateway.redaction`);
- a training provider creates, edits and retires only its own courses (those whose provider
  name normalises to its key), completes and lists enrolments only on them, with learners
  shown by pseudonyms of its own, and reads only its own report;
- whatever an employer, provider or admin is shown of a learner is written to the access log,
  which the learner reads (``access_log.watch``, added after the allowlist so it records what
  leaves; for a provider before the pseudonyms, so the entry names the real learner).

The tables: :data:`gateway.routes.ROUTES` (the proxied API), :data:`gateway.routes.OWN_ROUTES`
(the gateway's own API) and :data:`PAGES` (the web pages, by area).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from services.common.errors import Forbidden

from .auth import Principal, require_principal
from .models import ROLES
from .proxy import Call

ADMIN = "admin"
EVERY_ROLE = frozenset(ROLES)

Check = Callable[[Call, Principal], None]
"""An ownership check for a caller whose role the policy lets through (never run for admin)."""
Step = Callable[[Call], None]
"""What a call let through carries with it: a body rule, an answer filter, the access log."""

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Policy:
    """Who may call a route, what is checked of them, and what every admitted call carries."""

    who: str  # who may call it, for the OpenAPI document and the README table
    roles: frozenset[str] = frozenset()  # let through besides admin
    check: Check | None = None
    then: tuple[Step, ...] = ()
    refusal: str | None = None  # the 403 detail for a role not let through
    admin: bool = True  # the admin rule; False where the route is about the caller's own profile
    anonymous: bool = False  # no token needed (a bad token still answers 401)

    def by_admin_rule(self, principal: Principal) -> bool:
        """Tell whether the admin rule lets this caller through: admin may call every route."""
        return self.admin and principal.role == ADMIN

    def admits(self, principal: Principal) -> bool:
        """Tell whether the policy lets this signed-in caller's role through."""
        return self.by_admin_rule(principal) or principal.role in self.roles

    @property
    def refused(self) -> str:
        """Return the 403 detail for a role the policy does not let through."""
        if self.refusal is not None:
            return self.refusal
        allowed = sorted(self.roles) + ([ADMIN] if self.admin else [])
        return f"this needs the role {' or '.join(allowed)}"


def authorise(policy: Policy, call: Call | None = None) -> Principal | None:
    """Apply ``policy`` to the current caller (and ``call``); raise 401/403 if refused."""
    principal: Principal | None = None
    if not policy.anonymous:
        principal = require_principal()
        if not policy.admits(principal):
            raise Forbidden(policy.refused)
        if policy.check is not None and not policy.by_admin_rule(principal):
            assert call is not None, "an ownership check needs the call"
            policy.check(call, principal)
    if policy.then:
        assert call is not None, "a policy's steps need the call"
        for step in policy.then:
            step(call)
    return principal


def roles(*allowed: str, who: str | None = None, refusal: str | None = None) -> Policy:
    """Return the policy that lets the given roles (and admin) through, nothing more checked."""
    names = frozenset(allowed)
    return Policy(who=who or ", ".join([*allowed, ADMIN]), roles=names, refusal=refusal)


ANYONE = Policy(who="anyone", roles=EVERY_ROLE, anonymous=True)
SIGNED_IN = Policy(who="any signed-in account", roles=EVERY_ROLE)
ADMIN_ONLY = roles(who="admin")
MINISTRY = roles("ministry", who="ministry, admin")

# The web pages, by area: the same rule (admin passes the staff areas); the learner's, the
# employer's and the provider's pages are about the caller's own profile, which an admin does
# not have (an admin manages any provider's courses through the API).
PAGES: dict[str, Policy] = {
    "learner": Policy(who="a learner", roles=frozenset({"learner"}), admin=False),
    "employer": Policy(who="an employer", roles=frozenset({"employer"}), admin=False),
    "provider": Policy(who="a training provider", roles=frozenset({"provider"}), admin=False),
    "ministry": MINISTRY,
    "admin": ADMIN_ONLY,
}


def guarded(policy: Policy) -> Callable[[F], F]:
    """Apply ``policy`` before a gateway view runs (its body and query already parsed)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            authorise(policy)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
