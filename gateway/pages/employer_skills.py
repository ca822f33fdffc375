"""The skill list of a vacancy form: extracted, searched and kept skills, ticked and essential.

The form carries its own state so that a search or a second preview never loses a choice:
every listed skill travels as a hidden ``offered`` field (``uri|label|confidence`` plus its
evidence), ticked ones as ``skill`` and essential ones as ``essential|<uri>``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from ..transport import Upstream
from . import present
from .web import answer_problem

Call = Callable[..., Upstream]  # pages.web.api, passed in by the page

PREVIEW_TOP_K = 15
SEARCH_LIMIT = 10
# Russian and Kazakh texts are extracted with a low floor (0.08), so the preview lists weak
# guesses too: only fairly confident skills start ticked, and only strong ones as essential,
# because every essential skill counts twice in matching and decides who is "within reach".
PRESELECT_MIN_CONFIDENCE = 0.2
ESSENTIAL_MIN_CONFIDENCE = 0.5


@dataclass
class Choice:
    """One skill on the form."""

    uri: str
    label: str
    ticked: bool
    essential: bool
    confidence: float | None = None
    evidence: str = ""
    source: str = "extracted"

    @property
    def key(self) -> str:
        """Return the value of its checkbox."""
        return f"{self.uri}|{self.label}"

    @property
    def offered(self) -> str:
        """Return the value of its hidden field (how the next post knows it was listed)."""
        conf = "" if self.confidence is None else f"{self.confidence:.3f}"
        return f"{self.uri}|{self.label}|{conf}|{self.source}"

    def payload(self) -> dict[str, Any]:
        """Return the skill as the jobs service takes it."""
        skill: dict[str, Any] = {
            "uri": self.uri or None,
            "label": self.label,
            "essential": self.essential,
            "source": self.source,
        }
        if self.evidence:
            skill["evidence"] = self.evidence[:2000]
        if self.confidence is not None:
            skill["confidence"] = max(0.0, min(1.0, self.confidence))
        return skill


@dataclass
class Board:
    """Every skill listed on the form, in order, and the last search."""

    choices: list[Choice] = field(default_factory=list)
    query: str = ""
    found: list[Choice] = field(default_factory=list)
    searched: bool = False

    def keys(self) -> set[str]:
        """Return the uris (or labels) already listed."""
        return {c.uri or c.label.casefold() for c in self.choices}

    def add(self, choice: Choice) -> None:
        """List a skill unless it is listed already."""
        if (choice.uri or choice.label.casefold()) not in self.keys():
            self.choices.append(choice)

    def ticked(self) -> list[dict[str, Any]]:
        """Return the ticked skills as the jobs service takes them."""
        return [c.payload() for c in self.choices if c.ticked]


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def from_form(form: Mapping[str, Any]) -> Board:
    """Return the skills the form listed, with the reader's ticks."""
    multi = form if isinstance(form, MultiDict) else MultiDict(form)
    ticked = set(multi.getlist("skill"))
    board = Board(query=str(multi.get("skill_q", "")).strip()[:200])
    for raw in multi.getlist("offered"):
        uri, _s, rest = str(raw).partition("|")
        label, _s, rest = rest.partition("|")
        conf, _s, source = rest.partition("|")
        if not label:
            continue
        board.add(
            Choice(
                uri=uri,
                label=label,
                ticked=f"{uri}|{label}" in ticked,
                essential=f"essential|{uri or label}" in multi,
                confidence=_float(conf),
                evidence=str(multi.get(f"evidence|{uri or label}", "")),
                source=source if source in ("self", "extracted", "course") else "self",
            )
        )
    # Skills ticked in the last search results were not listed yet: they join as the reader's.
    for key in multi.getlist("skill"):
        uri, _s, label = str(key).partition("|")
        if label:
            board.add(
                Choice(uri=uri, label=label, ticked=True,
                       essential=f"essential|{uri or label}" in multi, source="self")
            )  # fmt: skip
    return board


def from_vacancy(skills: Iterable[dict[str, Any]]) -> Board:
    """Return the board of a saved vacancy: every skill ticked, as it was saved."""
    board = Board()
    for s in skills:
        board.add(
            Choice(
                uri=str(s.get("uri") or ""),
                label=str(s.get("label") or ""),
                ticked=True,
                essential=bool(s.get("essential", True)),
                confidence=s.get("confidence"),
                evidence=str(s.get("evidence") or ""),
                source=str(s.get("source") or "self"),
            )
        )
    return board


def extract(board: Board, text: str, *, call: Call) -> str | None:
    """List the skills found in ``text``; return the problem line if the matcher refused."""
    if not text.strip():
        return None
    answer = call("POST", "/skills/extract", payload={"text": text, "top_k": PREVIEW_TOP_K})
    if answer.status >= 300:
        return present.problem_text(answer_problem(answer))
    for s in present.items_of(answer.json(), "skills"):
        conf = s.get("confidence")
        confident = conf is None or conf >= PRESELECT_MIN_CONFIDENCE
        board.add(
            Choice(
                uri=str(s.get("uri") or ""),
                label=str(s.get("label") or ""),
                ticked=confident,
                essential=conf is None or conf >= ESSENTIAL_MIN_CONFIDENCE,
                confidence=conf,
                evidence=str(s.get("evidence") or ""),
                source="extracted",
            )
        )
    return None


def search(board: Board, *, call: Call, lang: str = "en") -> str | None:
    """Find taxonomy skills by name for the reader to add; return a problem line if refused.

    Labels come in ``lang`` where the vocabulary has one; since the label search reads ESCO's
    English names, the extractor (which reads Russian and Kazakh) adds what it recognises.
    """
    board.searched = bool(board.query)
    if not board.query:
        return None
    answer = call("GET", "/skills", query={"q": board.query, "limit": SEARCH_LIMIT, "lang": lang})
    if answer.status >= 300:
        return present.problem_text(answer_problem(answer))
    found = present.items_of(answer.json())
    extracted = call(
        "POST",
        "/skills/extract",
        payload={"text": board.query, "lang": lang, "top_k": SEARCH_LIMIT},
    )
    if extracted.status == 200:
        found += present.items_of(extracted.json(), "skills")
    listed = board.keys()
    seen: set[str] = set()
    board.found = []
    for s in found:
        uri = str(s.get("uri") or "")
        if not s.get("label") or not uri or uri in listed or uri in seen:
            continue
        seen.add(uri)
        board.found.append(
            Choice(uri=uri, label=str(s["label"]), ticked=False, essential=True, source="self")
        )
    board.found = board.found[:SEARCH_LIMIT]
    return None
