"""The steps of a provider's CSV upload: who reported it, and the access log of each row.

The CSV passes to the learner service as it came (it checks each row against the path's
provider, whose key the route's policy has matched to the caller). The gateway adds who
reports it, whatever the client sent, and writes one access-log entry per row that read or
changed a learner's enrolment, naming the real learner before the provider's pseudonyms
replace the ids in the answer.
"""

from __future__ import annotations

from collections.abc import Callable

from . import access_log
from .proxy import API_PREFIX, Call
from .transport import Upstream

KIND = "enrolment"
# What an applied row shows the provider of the learner: their enrolment on its course.
APPLIED = ("enrolment", "status")
REFUSED = ("enrolment",)  # the refusal says what the learner's enrolment is (e.g. none active)


def reported_by_caller(call: Call) -> None:
    """Stamp the completions with the caller's role and account (the query's, replaced)."""
    if call.principal is not None:
        call.set_arg("reported_by", f"{call.principal.role}:{call.principal.account_id}")


def _recorder(call: Call) -> Callable[[Upstream], Upstream]:
    principal = call.principal

    def step(answer: Upstream) -> Upstream:
        data = answer.json()
        if principal is None or answer.status >= 300 or not isinstance(data, dict):
            return answer
        rows = [r for r in data.get("rows") or [] if isinstance(r, dict)]
        found = [
            access_log.Disclosure(
                str(r["learner_id"]), APPLIED if r.get("status") == "ok" else REFUSED
            )
            for r in rows
            if r.get("learner_id") is not None
        ]
        path = call.target_path.split("?", 1)[0]
        access_log.record(principal, KIND, found, route=f"{call.method} {API_PREFIX}{path}")
        return answer

    return step


def logged_rows(call: Call) -> None:
    """Record each row's learner in the access log (before the pseudonyms replace the ids)."""
    if call.principal is not None and call.principal.role != "learner":
        call.after.append(_recorder(call))
