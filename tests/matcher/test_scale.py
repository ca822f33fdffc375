"""`make scale` at a small N: real ESCO skills, the real request path, snapshot and restart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from services.matcher.bench import scale
from services.matcher.bench.scale_data import Corpus
from services.matcher.bench.scale_requests import empty_kinds, thin_kinds
from services.matcher.db import ALIAS
from services.matcher.recommend.ranking import jobs_for_learner
from services.matcher.sync import snapshot
from tests.matcher.conftest import SHARED, needs_esco, scale_matcher

N = 2500


@pytest.fixture
def built(corpus: Corpus, tmp_path: Path) -> Iterator[Any]:
    yield from scale_matcher(corpus, tmp_path / "store", N, ann_threshold=400)


@needs_esco
def test_generated_items_carry_real_esco_skills_and_both_graphs_are_built(
    corpus: Corpus, built: Any
) -> None:
    assert all(u.startswith("http://data.europa.eu/esco/skill/") for u in corpus.skill_labels)
    learners, vacancies, courses = scale.sizes(N)
    assert (len(built.learners), len(built.vacancies), len(built.courses)) == (
        learners,
        vacancies,
        courses,
    )
    assert built.learners.ann is not None and built.vacancies.ann is not None
    assert all(k.startswith("http://data.europa.eu/esco/skill/") for k in built.vocab.keys)


@needs_esco
def test_approximate_answers_honour_every_filter_and_are_measured_against_exact(
    built: Any,
) -> None:
    vi = built.vacancies
    reqs = scale.requests(built, 6)
    for call in reqs["jobs"]:
        result = call()
        for item in result["items"]:
            row = vi.row_of(item["vacancy_id"])
            assert vi.column("open")[row]
            assert vi.column("langs")[row] & 2  # Russian
        assert len(result["items"]) <= 10
    out = scale.measure(built, {"jobs": reqs["jobs"], "candidates": reqs["candidates"]}, 2)
    for kind in ("jobs", "candidates"):
        assert out[kind]["sequential"]["p50_ms"] > 0
        assert out[kind]["recall_at_10"] is not None
        assert out[kind]["concurrent"]["req_s"] > 0


@needs_esco
def test_a_snapshot_restores_the_same_answers_in_a_fresh_matcher(
    built: Any, tmp_path: Path
) -> None:
    lid = str(built.learners.ids[7])
    before = jobs_for_learner(built, learner_id=lid, language=["ru"])
    snap = tmp_path / "snap"
    snapshot.save(built, snap, {"jobs": 41, "learner": 7})
    fresh = scale.new_matcher(tmp_path / "fresh", ann_threshold=400)
    assert snapshot.load(fresh, snap) == {"jobs": 41, "learner": 7}
    assert fresh.learners.ann is not None and fresh.vacancies.ann is not None
    after = jobs_for_learner(fresh, learner_id=lid, language=["ru"])
    assert [i["vacancy_id"] for i in after["items"]] == [i["vacancy_id"] for i in before["items"]]
    assert [i["score"] for i in after["items"]] == [i["score"] for i in before["items"]]
    # A new vacancy after the restore goes into the loaded graph and the skill rows.
    doc = {"_id": "new", "status": "open", "languages": ["ru"], "skills": []}
    fresh.index_vacancy(doc, fresh.vacancies.vecs[0] + np.float32(0.01))
    assert fresh.vacancies.row_of("new") == fresh.vacancies.n - 1


@pytest.mark.slow
@needs_esco
def test_make_scale_writes_the_table_the_plot_and_a_restart_from_its_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, cache = tmp_path / "reports", tmp_path / "cache"
    argv = ["--n", "1500", "--queries", "16", "--threads", "2", "--ann-threshold", "200"]
    argv += ["--out", str(out), "--cache", str(cache), "--data", str(SHARED)]
    assert scale.main([*argv, "--embedder", "fake"]) == 0
    result = json.loads((out / "scale_1500.json").read_text())
    assert result["approximate"] == {"learners": True, "vacancies": True}
    assert set(result["requests"]) == {"jobs", "candidates", "courses", "path"}
    assert result["restart"]["items"] > 0 and result["restart"]["approximate"] == [True, True]
    assert (out / "scale_cost_vs_n.png").stat().st_size > 0
    assert "| jobs |" in (out / "scale.md").read_text()
    # A second run loads the snapshot instead of building, and keeps the first build's figures.
    assert scale.main([*argv, "--embedder", "fake", "--reuse"]) == 0
    again = json.loads((out / "scale_1500.json").read_text())
    assert (
        again["build"]["from_snapshot"] and again["build"]["build_s"] == result["build"]["build_s"]
    )
    assert "bare exact top-10" in capsys.readouterr().out


@needs_esco
def test_restore_moves_the_stored_feed_cursors_back_to_the_snapshot(
    built: Any, tmp_path: Path
) -> None:
    from services.common.db import database
    from services.common.feed import CURSORS

    snap = tmp_path / "snap"
    snapshot.save(built, snap, {"jobs": 12, "learner": 30})
    for feed in ("jobs", "learner"):  # the worker's cursors run ahead of the snapshot's
        database(ALIAS)[CURSORS].update_one({"_id": feed}, {"$set": {"seq": 99}}, upsert=True)
    fresh = scale.new_matcher(tmp_path / "store", ann_threshold=400)  # the same store
    assert snapshot.restore(fresh, snap)
    stored = {d["_id"]: d["seq"] for d in database(ALIAS)[CURSORS].find({})}
    assert stored == {"jobs": 12, "learner": 30}
    assert len(fresh.learners) == len(built.learners) and fresh.state == "ready"
    with pytest.raises(snapshot.Unusable, match="no snapshot"):
        snapshot.restore(fresh, tmp_path / "none")


@needs_esco
def test_course_and_path_requests_answer_in_the_languages_learners_read(built: Any) -> None:
    reqs = scale.requests(built, 30)
    out = scale.measure(built, {"courses": reqs["courses"], "path": reqs["path"]}, 2)
    assert empty_kinds(out) == [], out
    assert all(out[k]["answered"] > 0 and out[k]["answered_p50_ms"] for k in ("courses", "path"))
    answered = 0
    for call in reqs["courses"]:
        result = call()
        # The learner's languages come from its stored copy, not the kk/ru default.
        assert result["languages"]["source"] == "profile"
        for item in result["items"]:
            assert item["learner_reads_it"] and item["language"] in result["languages"]["reads"]
            assert item["title"]  # the course copy holds the real course's title
        answered += bool(result["items"])
    assert answered == out["courses"]["answered"]


def test_a_kind_that_answered_nothing_fails_the_run() -> None:
    rows = {"jobs": {"asked": 4, "answered": 4}, "courses": {"asked": 4, "answered": 0}}
    assert empty_kinds(rows) == ["courses"]
    assert scale._check_answers(rows) == 1
    rows["courses"]["answered"] = 1
    assert thin_kinds(rows) == ["courses"] and scale._check_answers(rows) == 0
