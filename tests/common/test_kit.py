"""The shared kit through a small service built with it, over real HTTP (Flask test client)."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import mongoengine as me
import pytest
from flask import Blueprint

from services.common.api import Id, PageQuery, ReadSchema, Schema, endpoint
from services.common.app import create_service_app
from services.common.db import atomic
from services.common.errors import NotFound
from services.common.feed import FeedFollower, append_event
from services.common.pagination import paginate
from services.common.settings import BaseSettings, SettingsError

ALIAS = "kit"


class Note(me.Document):
    title = me.StringField(required=True, unique=True)
    hits = me.IntField(default=0)
    meta = {"db_alias": ALIAS}


class NoteCreate(Schema):
    title: str
    hits: int = 0
    due: datetime | None = None


class NoteRead(ReadSchema):
    id: Id
    title: str
    hits: int


def _bp() -> Blueprint:
    bp = Blueprint("notes", __name__)

    @endpoint(bp, "POST", "/notes", body=NoteCreate, response=NoteRead, status=201)
    def create_note(body: NoteCreate) -> NoteRead:
        """Create a note."""
        with atomic(ALIAS):
            note = Note(title=body.title, hits=body.hits).save()
            append_event(ALIAS, "note.created", str(note.id), {"title": note.title})
        return NoteRead(id=str(note.id), title=note.title, hits=note.hits)

    @endpoint(bp, "POST", "/notes/<note_id>/hit", response=NoteRead)
    def hit_note(note_id: str) -> NoteRead:
        """Count a hit."""
        note = Note.objects(title=note_id).modify(inc__hits=1, new=True)
        if note is None:
            raise NotFound(f"no note {note_id}")
        return NoteRead(id=str(note.id), title=note.title, hits=note.hits)

    @endpoint(bp, "GET", "/notes", query=PageQuery, response=None)
    def list_notes(query: PageQuery) -> dict:
        """List notes."""
        data = paginate(Note.objects.order_by("title"), query, NoteRead)
        data["items"] = [i.model_dump() for i in data["items"]]
        return data

    return bp


@pytest.fixture
def app(tmp_path: Path):
    settings = BaseSettings.from_env(env={}, data_dir=tmp_path, testing=True, service="kit")
    return create_service_app("kit", settings, alias=ALIAS, blueprints=[_bp()], title="kit")


@pytest.fixture
def client(app):
    return app.test_client()


def test_settings_report_every_bad_value_at_once() -> None:
    with pytest.raises(SettingsError) as err:
        BaseSettings.from_env(env={"QABILET_PORT": "eighty", "MONGODB_URI": "http://x"})
    assert "QABILET_PORT='eighty'" in str(err.value)


def test_settings_reject_non_mongodb_uri() -> None:
    with pytest.raises(SettingsError, match="MONGODB_URI"):
        BaseSettings.from_env(env={"MONGODB_URI": "http://x"})


def test_create_and_list_with_total(client) -> None:
    for title in ["b", "a", "c"]:
        assert client.post("/notes", json={"title": title}).status_code == 201
    page = client.get("/notes?limit=2&offset=1").get_json()
    assert page["total"] == 3
    assert [n["title"] for n in page["items"]] == ["b", "c"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": {"$gt": ""}}, "title"),
        ({"title": "x", "hits": "3"}, "hits"),
        ({"title": "x", "colour": "red"}, "colour"),
        ({}, "title"),
        ({"title": "x", "hits": 2**64}, "hits"),
        ({"title": "x", "due": "9999-12-31T23:59:00-05:00"}, "due"),
    ],
)
def test_invalid_body_is_problem_naming_the_field(client, payload, field) -> None:
    resp = client.post("/notes", json=payload)
    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json"
    assert field in [e["field"] for e in resp.get_json()["errors"]]
    assert client.get("/notes").get_json()["total"] == 0


def test_malformed_json_and_huge_body_are_rejected(client, app) -> None:
    bad = client.post("/notes", data=b"{nope", content_type="application/json")
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    huge = client.post(
        "/notes", data=b'{"title": "' + b"x" * 1_000_000 + b'"}', content_type="application/json"
    )
    assert huge.status_code == 413
    assert client.get("/notes").get_json()["total"] == 0


def test_duplicate_is_conflict_and_unknown_id_not_found(client) -> None:
    client.post("/notes", json={"title": "same"})
    dup = client.post("/notes", json={"title": "same"})
    assert dup.status_code == 409
    assert client.post("/notes/missing/hit").status_code == 404


def test_health_readiness_openapi_and_request_id(client) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").get_json()["status"] == "ready"
    spec = client.get("/openapi.json").get_json()
    assert "/notes" in spec["paths"] and "/changes" in spec["paths"]
    resp = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert resp.headers["X-Request-ID"] == "abc-123"


def test_concurrent_writes_lose_nothing_and_feed_has_no_gaps(client, app) -> None:
    client.post("/notes", json={"title": "counter"})

    def worker(k: int) -> None:
        c = app.test_client()
        for i in range(10):
            assert c.post("/notes", json={"title": f"t{k}-{i}"}).status_code == 201
            assert c.post("/notes/counter/hit").status_code == 200

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert client.get("/notes").get_json()["total"] == 161
    assert Note.objects.get(title="counter").hits == 160
    seqs = [e["seq"] for e in client.get("/changes?limit=1000").get_json()["events"]]
    assert seqs == list(range(1, 162))


def test_follower_resumes_from_its_stored_cursor(client) -> None:
    for title in ["a", "b", "c"]:
        client.post("/notes", json={"title": title})
    seen: list[str] = []

    def fetch(after: int, limit: int) -> dict:
        return client.get(f"/changes?after={after}&limit={limit}").get_json()

    follower = FeedFollower(
        alias=ALIAS,
        name="t",
        fetch=fetch,
        handler=lambda e: seen.append(e["data"]["title"]),
        batch=2,
    )
    assert follower.sync_once() == 3
    client.post("/notes", json={"title": "d"})
    restarted = FeedFollower(
        alias=ALIAS, name="t", fetch=fetch, handler=lambda e: seen.append(e["data"]["title"])
    )
    assert restarted.sync_once() == 1
    assert seen == ["a", "b", "c", "d"]


def test_follower_reports_its_lag_while_it_handles_a_batch(client) -> None:
    for title in ["a", "b", "c", "d", "e"]:
        client.post("/notes", json={"title": title})
    lags: list[int] = []

    def fetch(after: int, limit: int) -> dict:
        return client.get(f"/changes?after={after}&limit={limit}").get_json()

    follower = FeedFollower(alias=ALIAS, name="lag", fetch=fetch, handler=lambda e: None, batch=2)
    follower.handler = lambda e: lags.append(follower.lag)
    assert follower.sync_once() == 5
    # while the first batch is handled, the 5 unread events are already counted as lag
    assert lags == [5, 5, 3, 3, 1]
    assert follower.lag == 0


def test_query_numbers_beyond_64_bits_are_rejected_naming_the_parameter(client) -> None:
    resp = client.get(f"/changes?after={2**64}")
    assert resp.status_code == 422
    assert resp.get_json()["errors"][0]["field"] == "query.after"
