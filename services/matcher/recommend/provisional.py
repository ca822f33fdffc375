"""Provisional answers: what the matcher can say about an item it has not indexed yet.

While the matcher catches up on thousands of feed events, a learner or vacancy the feeds have
not reached is read by the worker's interactive lane (sync/bridge.py). When that read cannot
finish within the request's budget, the web process answers from the owner's record itself:
declared skills only (no embedding: the model runs in the worker, no CV or description tags),
so the ranking is by skill coverage alone, and the body says ``provisional: true`` with what it
used and the indexing progress. A row the lane indexed without tagging its free text is
provisional too (``Indexes.pending``), until the deferred pass tags it.
"""

from __future__ import annotations

import time
from typing import Any

from services.common.errors import NotFound, Unavailable
from services.matcher.ml.coverage import skill_key
from services.matcher.recommend.state import Matcher, NotIndexedYet

#: What a provisional answer built from the owner's record used.
FROM_RECORD = (
    "declared skills from the {owner}'s record only (not indexed yet): ranked by skill "
    "coverage alone, no text similarity, no skills extracted from the {text}"
)
#: What an answer on a row indexed before its text was tagged used.
UNTAGGED = (
    "declared skills and the text embedding; the skills in the {text} are still being "
    "extracted (and declared labels mapped to ESCO)"
)


def owner_record(m: Matcher, exc: NotIndexedYet) -> dict[str, Any]:
    """Read the item from the service owning it (404 when it has none)."""
    learner = exc.kind == "learner"
    client = m.learner_client if learner else m.jobs_client
    path = f"/learners/{exc.item_id}" if learner else f"/vacancies/{exc.item_id}"
    t = time.perf_counter()
    status, data = client.request("GET", path)
    m.owner_read_ms.append({"total": (time.perf_counter() - t) * 1000})
    if status == 404:
        raise NotFound(f"there is no {exc.kind} {exc.item_id}")
    if status != 200 or not isinstance(data, dict) or str(data.get("id")) != exc.item_id:
        raise Unavailable(
            f"the {exc.kind} service does not answer; try again shortly",
            headers={"Retry-After": "5"},
        )
    return data


def skill_keys(skills: list[dict[str, Any]]) -> list[str]:
    """Return the coverage keys of skills (URI, else the label), in order, without repeats."""
    return list(dict.fromkeys(k for k in (skill_key(s) for s in skills) if k is not None))


def marker(m: Matcher, basis: str | None, progress: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the fields that mark an answer provisional (or not)."""
    if basis is None:
        return {"provisional": False, "provisional_basis": None, "indexing": None}
    return {
        "provisional": True,
        "provisional_basis": basis,
        "indexing": progress if progress is not None else m.indexing(),
    }


#: What an answer ranking rows of a bulk first pass (sync/refine.py) used.
FIRST_PASS = (
    "some {ranked} are indexed in a first pass (declared skills and the start of the {text}): "
    "the ranking is refined as they are read in full"
)
#: The rows an answer about a learner or a vacancy ranks.
RANKED = {"learners": ("vacancies", "description"), "vacancies": ("learners", "CV")}


def untagged_basis(m: Matcher, kind: str, item_id: str) -> str | None:
    """Return the basis note of an answer on untagged or first-pass rows, else None."""
    if item_id in m.pending[kind]:
        return UNTAGGED.format(text="CV" if kind == "learners" else "description")
    ranked, text = RANKED[kind]
    if m.pending.get(ranked):
        return FIRST_PASS.format(ranked=ranked, text=text)
    return None
