"""The real-server feed path (transactions, counter, retries) on mongomock behind a server model.

The model (:mod:`tests.support.mongo_model`) holds MongoDB's documented write-conflict rule for
transactions; what runs under test is the product code: the client's session binding, the retry
loop, the counter in the transaction, the block form's claim, the feed reads. What the model does
not do (snapshot reads, majority read concern, a real commit) is left to a real mongod.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import mongoengine as me
import mongomock
import pytest
from pymongo.errors import OperationFailure

import services.common.db as db_package
from services.common.db import Store, atomic, database, transaction, transactions
from services.common.db.transactions import (
    COUNTERS,
    TRANSIENT,
    UNKNOWN_COMMIT,
    SessionClient,
)
from services.common.db.transactions import run_transaction as transaction_on
from services.common.errors import Unavailable
from services.common.feed import CHANGES, append_event, read_changes
from services.common.settings import BaseSettings
from tests.support.mongo_model import ModelClient, conflict, model_of
from tests.support.threads import hammer

ALIAS = "mongo_feed"


class Item(me.Document):
    name = me.StringField(required=True)
    meta = {"db_alias": ALIAS}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    env = {"MONGODB_URI": "mongodb://127.0.0.1:9/"}
    settings = BaseSettings.from_env(env=env, data_dir=tmp_path, testing=True, service="mongo")
    opened = Store(settings, ALIAS, client_class=ModelClient).open()
    Item._get_collection()  # indexes made once, before any thread races to make them
    yield opened
    opened.close()


def create_item(name: str, pause: float = 0.0) -> int:
    item = Item(name=name).save()
    time.sleep(pause)  # the record written, the event not yet: where another writer overlaps
    return append_event(ALIAS, "item.created", str(item.id), {"name": name})


def test_the_server_store_runs_on_the_session_binding(store: Store) -> None:
    assert not store.embedded
    assert isinstance(store.database().client, ModelClient)
    with pytest.raises(NotImplementedError):
        mongomock.MongoClient().start_session()  # why the model supplies the seam


def test_counter_is_gap_free_and_commits_in_seq_order_under_threads(store: Store) -> None:
    def write(t: int, i: int) -> int:
        return transaction(ALIAS, lambda: create_item(f"{t}-{i}", pause=0.001))

    seqs = hammer(4, 25, write)
    assert sorted(seqs) == list(range(1, 101))
    events = list(database(ALIAS)[CHANGES].find().sort("_id", 1))
    assert [e["_id"] for e in events] == list(range(1, 101))
    items = {str(i.id): i.name for i in Item.objects}
    assert len(items) == 100
    assert {e["id"] for e in events} == set(items)  # every event has its record, and back
    assert database(ALIAS)[COUNTERS].find_one({"_id": CHANGES})["value"] == 100
    model = model_of(store)
    assert model.conflicts > 0 and model.aborts > 0  # writers collided at the counter: re-run
    committed = [seq for seqs_ in model.commits for seq in seqs_]
    assert committed == sorted(committed)  # commit order is seq order


def test_a_failed_callback_writes_neither_record_nor_event(store: Store) -> None:
    def fail() -> None:
        create_item("lost")
        raise ValueError("after the event")

    with pytest.raises(ValueError):
        transaction(ALIAS, fail)
    assert Item.objects.count() == 0
    assert database(ALIAS)[CHANGES].count_documents({}) == 0
    counter = database(ALIAS)[COUNTERS].find_one({"_id": CHANGES})
    assert counter is None or counter.get("value", 0) == 0
    assert transaction(ALIAS, lambda: create_item("kept")) == 1  # the number was not used up


def test_a_transient_error_runs_the_whole_callback_again(store: Store) -> None:
    calls: list[int] = []

    def flaky() -> int:
        calls.append(1)
        seq = create_item(f"try {len(calls)}")
        if len(calls) == 1:
            raise conflict()
        return seq

    assert transaction(ALIAS, flaky) == 1
    assert len(calls) == 2
    assert [i.name for i in Item.objects] == ["try 2"]
    assert database(ALIAS)[CHANGES].count_documents({}) == 1


def test_commit_errors_retry_the_commit_or_the_transaction(store: Store) -> None:
    model = model_of(store)
    calls: list[str] = []

    def write(name: str) -> Callable[[], int]:
        return lambda: (calls.append(name), create_item(name))[1]

    model.commit_errors = [UNKNOWN_COMMIT]
    assert transaction(ALIAS, write("unknown")) == 1
    assert calls == ["unknown"]  # only the commit was repeated
    model.commit_errors = [TRANSIENT]
    assert transaction(ALIAS, write("transient")) == 2
    assert calls == ["unknown", "transient", "transient"]  # the whole callback ran again
    assert sorted(i.name for i in Item.objects) == ["transient", "unknown"]


def test_a_non_transient_error_is_not_retried(store: Store) -> None:
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise OperationFailure("bad query", 2, {"errorLabels": []})

    with pytest.raises(OperationFailure):
        transaction(ALIAS, broken)
    assert calls == [1]


def _in_thread(fn: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(fn()))
    thread.start()
    return thread, out


def test_writers_of_different_records_do_not_wait_for_each_other(store: Store) -> None:
    inside, release = threading.Event(), threading.Event()
    slow_runs: list[int] = []

    def slow() -> int:
        slow_runs.append(1)
        item = Item(name="slow").save()
        inside.set()
        release.wait(10)
        return append_event(ALIAS, "item.created", str(item.id), {"name": "slow"})

    slow_thread, slow_out = _in_thread(lambda: transaction(ALIAS, slow))
    assert inside.wait(5)
    started = time.monotonic()
    fast = transaction(ALIAS, lambda: create_item("fast"))
    took = time.monotonic() - started
    assert not release.is_set() and slow_thread.is_alive()  # done while the slow one still runs
    assert fast == 1 and took < 1.0
    release.set()
    slow_thread.join(10)
    # The slow writer reached the counter after the fast one had committed it: run again.
    assert slow_out == [2] and len(slow_runs) == 2
    assert sorted(i.name for i in Item.objects) == ["fast", "slow"]


def test_with_blocks_follow_one_another_at_the_counter(store: Store) -> None:
    inside, release = threading.Event(), threading.Event()

    def slow_block() -> int:
        with atomic(ALIAS):
            item = Item(name="first").save()
            inside.set()
            release.wait(10)
            return append_event(ALIAS, "item.created", str(item.id), {"name": "first"})

    def second_block() -> int:
        with atomic(ALIAS):
            return create_item("second")

    first, first_out = _in_thread(slow_block)
    assert inside.wait(5)
    second, second_out = _in_thread(second_block)
    second.join(0.3)
    assert second.is_alive()  # a with body cannot be re-run, so it waits at the claim
    release.set()
    first.join(10)
    second.join(10)
    assert first_out == [1] and second_out == [2]
    assert model_of(store).conflicts > 0  # the waiting was claims meeting write conflicts


def test_a_conflict_inside_a_with_body_is_a_503_not_a_partial_write(store: Store) -> None:
    with pytest.raises(Unavailable), atomic(ALIAS):
        Item(name="half").save()
        raise conflict()
    assert Item.objects.count() == 0


def test_the_lease_is_gone(store: Store) -> None:
    with atomic(ALIAS):
        create_item("block")
    transaction(ALIAS, lambda: create_item("callback"))
    assert "_locks" not in database(ALIAS).list_collection_names()
    assert not hasattr(db_package, "LEASE_SECONDS")
    assert [e.seq for e in read_changes(ALIAS, 0, 10).events] == [1, 2]


def test_server_feed_reads_are_a_range_after_the_cursor(store: Store) -> None:
    for n in range(5):
        transaction(ALIAS, lambda n=n: create_item(f"n{n}"))
    page = read_changes(ALIAS, 2, 2)
    assert [e.seq for e in page.events] == [3, 4]
    assert page.next == 4 and page.latest == 5
    assert read_changes(ALIAS, 5, 10).events == []


def test_a_server_client_hands_pymongos_session_to_each_call() -> None:
    # Real pymongo, no server: find() is lazy, so the cursor shows which session it was given.
    client = SessionClient("mongodb://127.0.0.1:9/", connect=False, serverSelectionTimeoutMS=200)
    try:
        items = client["x"]["items"]
        outside = items.find({})
        seen: list[Any] = []

        def body() -> None:
            seen.append(items.find({}).session)
            seen.append(items.with_options(read_preference=None).find({}).session)
            raise ValueError("stop before a commit needs the server")

        with pytest.raises(ValueError):
            transaction_on(client, body)
        assert outside.session is None
        assert seen[0] is not None and seen[0] is seen[1]
        assert seen[0].has_ended  # the session went back to pymongo's pool
    finally:
        client.close()


def test_retries_stop_at_the_time_limit_with_a_503(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transactions, "TRANSACTION_SECONDS", 0.05)
    calls: list[int] = []

    def always_conflicts() -> None:
        calls.append(1)
        raise conflict()

    with pytest.raises(Unavailable):
        transaction(ALIAS, always_conflicts)
    assert len(calls) > 1
