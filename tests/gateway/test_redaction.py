"""What each audience sees: allowlists, so a field a service adds later stays hidden."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from gateway.redaction import ADMIN, EMPLOYER_CANDIDATE, LEARNER_SELF, MINISTRY, redact
from tests.gateway.world import API, World, ok

CANDIDATES: dict[str, Any] = {
    "vacancy_id": "v1",
    "considered": 2,
    "candidates": [
        {"learner_id": "applied", "region": "almaty", "passport_no": "N123"},
        {"learner_id": "other", "region": "astana", "passport_no": "N456",
         "score": {"total": 0.7, "confidence": 0.9}},
    ],
    "trainable": [],
    "ranking_notes": "new in the matcher",
}  # fmt: skip
REPORT: dict[str, Any] = {
    "filters": {"region": None},
    "rows": [{"group": "almaty", "enrolled": 12, "top_learner": "Айгерим"}],
    "suppression": "...",
    "new_breakdown": {"by_school": []},
}


def _keys(node: Any, path: str = "") -> set[str]:
    """Return every key path of a JSON answer (list items merged)."""
    if isinstance(node, list):
        return {k for item in node for k in _keys(item, path + "[]")}
    if isinstance(node, dict):
        found = set()
        for key, value in node.items():
            found.add(f"{path}.{key}")
            found |= _keys(value, f"{path}.{key}")
        return found
    return set()


def test_a_new_field_from_a_service_is_hidden_from_an_employer_viewing_a_candidate() -> None:
    shown = redact(CANDIDATES, EMPLOYER_CANDIDATE, {"applied"})
    applicant, other = shown["candidates"]
    assert applicant == CANDIDATES["candidates"][0]  # an applicant is shown to its employer whole
    assert other == {"learner_id": "other", "region": "astana", "score": {"total": 0.7}}
    assert "ranking_notes" not in shown
    assert "N456" not in str(shown)


def test_a_new_field_from_a_service_is_hidden_from_the_ministry() -> None:
    shown = redact(REPORT, MINISTRY)
    assert shown == {
        "filters": {"region": None},
        "rows": [{"group": "almaty", "enrolled": 12}],
        "suppression": "...",
    }


def test_admin_and_the_learner_themselves_see_every_field() -> None:
    assert redact(CANDIDATES, ADMIN) == CANDIDATES
    assert redact(REPORT, ADMIN) == REPORT
    assert redact(CANDIDATES, LEARNER_SELF) == CANDIDATES


def test_the_allowlists_hide_nothing_the_services_send_today(
    world: World, client: FlaskClient
) -> None:
    path = f"{API}/vacancies/{world.vacancy['id']}/candidates"
    as_admin = ok(client.get(path, headers=world["admin"].headers))
    as_employer = ok(client.get(path, headers=world["employer"].headers))
    assert as_admin["candidates"] or as_admin["trainable"]
    assert _keys(as_employer) == _keys(as_admin)
    for report in ("funnel", "outcomes", "providers", "skills-gap", "fairness"):
        by_admin = ok(client.get(f"{API}/reports/{report}", headers=world["admin"].headers))
        by_ministry = ok(client.get(f"{API}/reports/{report}", headers=world["ministry"].headers))
        assert _keys(by_ministry) == _keys(by_admin), report
