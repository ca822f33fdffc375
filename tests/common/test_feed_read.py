"""Embedded feed pages read by id: the same pages as the full scan, over gaps, on a real store."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.common.app import create_service_app
from services.common.clock import as_utc
from services.common.db import atomic, database
from services.common.feed import (
    CHANGES,
    COUNTERS,
    WINDOWS,
    ChangeEvent,
    ChangesPage,
    FeedFollower,
    append_event,
    next_value,
    read_changes,
)
from services.common.settings import BaseSettings

ALIAS = "feedread"


@pytest.fixture
def app(tmp_path: Path) -> Any:
    settings = BaseSettings.from_env(env={}, data_dir=tmp_path, testing=True, service="feedread")
    return create_service_app(ALIAS, settings, alias=ALIAS, blueprints=[], title="feedread")


@pytest.fixture
def ctx(app: Any) -> Iterator[None]:
    with app.app_context():
        yield


def scanned(after: int, limit: int) -> ChangesPage:
    """The page as the plain scan reads it (what read_changes did before)."""
    db = database(ALIAS)
    with atomic(ALIAS):
        docs = list(db[CHANGES].find({"_id": {"$gt": after}}).sort("_id", 1).limit(limit))
        counter = db[COUNTERS].find_one({"_id": CHANGES})
    events = [
        ChangeEvent(seq=d["_id"], type=d["type"], id=d["id"], at=as_utc(d["at"]), data=d["data"])
        for d in docs
    ]
    latest = int(counter.get("value", 0)) if counter else 0
    return ChangesPage(events=events, next=events[-1].seq if events else after, latest=latest)


def gap(n: int = 1) -> None:
    """Take ``n`` seqs and write no event: what a block that fails after ``next_value`` leaves."""
    with atomic(ALIAS):
        next_value(ALIAS, CHANGES)
        if n > 1:  # as n such blocks would, in one step
            database(ALIAS)[COUNTERS].update_one({"_id": CHANGES}, {"$inc": {"value": n - 1}})


def append(i: int) -> int:
    return append_event(ALIAS, "thing.updated", f"t{i}", {"i": i, "tags": [f"x{i % 5}"]})


def existing() -> list[int]:
    return [e.seq for e in scanned(0, 10**9).events]


def test_a_failed_append_leaves_a_gap_that_pages_pass_over(ctx: None) -> None:
    append(1)
    with pytest.raises(Exception):  # noqa: B017 - whatever the encoder raises, the seq is taken
        append_event(ALIAS, "thing.updated", "bad", {"x": object()})
    append(3)
    page = read_changes(ALIAS, 0, 10)
    assert [e.seq for e in page.events] == [1, 3]
    assert page == scanned(0, 10)
    assert read_changes(ALIAS, 1, 1) == scanned(1, 1)
    assert read_changes(ALIAS, 1, 1).events[0].seq == 3


def test_pages_equal_the_scan_on_random_feeds_with_gaps(ctx: None) -> None:
    rng = random.Random(10)
    for i in range(300):
        roll = rng.random()
        if roll < 0.08:
            gap(rng.choice([1, 1, 2, 7, 70]))
        elif roll < 0.1:
            gap(rng.randint(300, 3000))  # longer than the id windows reach at small limits
        else:
            append(i)
    latest = scanned(0, 1).latest
    afters = [0, 1, latest - 1, latest, latest + 5, *rng.sample(range(latest), 30)]
    limits = [1, 3, 64, 1000]
    for after in afters:
        for limit in limits:
            assert read_changes(ALIAS, after, limit) == scanned(after, limit), (after, limit)


def test_paging_through_gaps_yields_every_event_once_in_order(ctx: None) -> None:
    for i in range(30):
        append(i)
        if i % 4 == 0:
            gap(i % 3 + 1)
    gap(64 * (2**WINDOWS))  # past every id window of a 64-page: the rest comes from the scan
    for i in range(30, 200):
        append(i)
    gap(3)  # a trailing gap: latest is beyond the last event
    want = existing()
    for limit in (1, 5, 64, 1000):
        seen: list[int] = []
        after = 0
        while True:
            page = read_changes(ALIAS, after, limit)
            assert page == scanned(after, limit)
            assert len(page.events) <= limit
            seen += [e.seq for e in page.events]
            if len(page.events) < limit:
                break
            after = page.next
        assert seen == want, limit


def test_empty_feed_and_cursors_at_or_past_the_end(ctx: None) -> None:
    assert read_changes(ALIAS, 0, 64) == ChangesPage(events=[], next=0, latest=0)
    assert read_changes(ALIAS, 7, 1) == ChangesPage(events=[], next=7, latest=0)
    gap(2)  # a counter, no events
    assert read_changes(ALIAS, 0, 64) == ChangesPage(events=[], next=0, latest=2)
    append(1)
    assert read_changes(ALIAS, 3, 64) == ChangesPage(events=[], next=3, latest=3)
    assert read_changes(ALIAS, 2, 64).events[0].seq == 3
    for after in (0, 2, 3, 4, 10**12):
        assert read_changes(ALIAS, after, 64) == scanned(after, 64)


def test_a_page_sees_what_another_thread_just_appended(ctx: None, app: Any) -> None:
    for i in range(50):
        append(i)
    read_changes(ALIAS, 0, 64)  # this thread's store connection has looked at the feed

    def writer(i: int) -> None:
        with app.app_context():
            append(i)
            if i % 3 == 0:
                gap()

    for i in range(50, 80):
        t = threading.Thread(target=writer, args=(i,))
        t.start()
        t.join()
        page = read_changes(ALIAS, 40, 1000)
        assert page == scanned(40, 1000)
        assert page.events[-1].data["i"] == i


def test_the_http_page_is_the_scanned_page(app: Any) -> None:
    with app.app_context():
        for i in range(20):
            append(i)
            if i % 5 == 0:
                gap(2)
        want = scanned(3, 7).model_dump(mode="json")
    body = app.test_client().get("/changes?after=3&limit=7").get_json()
    assert body == want


def test_follower_reaches_the_end_over_gaps(ctx: None) -> None:
    for i in range(40):
        gap(i % 4)  # runs of 0..3 missing seqs, also where a batch starts or ends
        append(i)
    gap(5000)  # a long run: the id windows give way to the scan
    for i in range(40, 60):
        append(i)
    handled: list[int] = []

    def fetch(after: int, limit: int) -> dict[str, Any]:
        return read_changes(ALIAS, after, limit).model_dump(mode="json")

    follower = FeedFollower(
        alias=ALIAS, name="gaps", fetch=fetch, handler=lambda e: handled.append(e["seq"]), batch=3
    )
    assert follower.sync_once() == 60
    assert handled == existing()
    assert follower.cursor == handled[-1]
    assert follower.lag == 0
    append(60)
    assert follower.sync_once() == 1
    assert handled[-1] == scanned(0, 1).latest
