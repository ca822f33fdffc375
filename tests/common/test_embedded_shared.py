"""One litemongo client per process: threads share it, other processes' writes are still seen.

The store is a litemongo store in a temp dir, opened as the services open theirs. Threads of the
test process share one client (so another thread's write keeps this thread's index current
instead of forcing a rebuild); a forked process (a gunicorn worker) gets its own client, and
each process sees the other's writes, through queries and through unique indexes alike.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mongoengine as me
import pytest
from litemongo import sqlite_store  # type: ignore[attr-defined]

from services.common.db import close_db, database, init_db
from services.common.db.litestore import CollectionStore
from services.common.settings import BaseSettings
from tests.support.threads import in_thread

ALIAS = "embedded_shared"


class Member(me.Document):
    name = me.StringField(required=True)
    email = me.StringField(required=True, unique=True)
    side = me.StringField()
    meta = {"db_alias": ALIAS, "collection": "members", "indexes": ["side"]}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    settings = BaseSettings.from_env(env={}, data_dir=tmp_path, testing=True, service="shared")
    init_db(settings, ALIAS)
    Member.ensure_indexes()
    yield tmp_path
    close_db(ALIAS)


def collection_store() -> Any:
    """Return litemongo's store of the members collection in this process's client."""
    db = database(ALIAS)
    return db.client.store_client()._store[db.name]["members"]


def test_threads_share_one_client_and_its_index(store: Path) -> None:
    Member(name="Aigerim", email="a@example.kz", side="main").save()
    assert Member.objects(side="main").count() == 1  # builds this process's index
    index = collection_store()._query_index
    assert index is not None

    assert in_thread(lambda: database(ALIAS).client.store_client()) is (
        database(ALIAS).client.store_client()
    )
    in_thread(lambda: Member(name="Dias", email="d@example.kz", side="other").save())
    in_thread(lambda: Member.objects(email="a@example.kz").update_one(set__name="Renamed"))

    # The other thread's writes went through the same connection: the index was kept in step.
    assert [m.name for m in Member.objects(side="other")] == ["Dias"]
    assert Member.objects(email="a@example.kz").first().name == "Renamed"  # type: ignore[union-attr]
    assert collection_store()._query_index is index
    with pytest.raises(me.NotUniqueError):
        Member(name="Again", email="d@example.kz").save()
    with pytest.raises(me.NotUniqueError):
        in_thread(lambda: Member(name="Again", email="a@example.kz").save())
    assert Member.objects.count() == 2


def _worker(ready: Any, parent_done: Any, results: Any) -> None:
    """The other process: write members of its own, then report what it sees of the parent's."""
    try:
        ready.wait(30)
        for i in range(20):
            Member(name=f"child {i}", email=f"child{i}@example.kz", side="child").save()
        try:
            Member(name="Clash", email="parent0@example.kz").save()
            clash = "saved"
        except me.NotUniqueError:
            clash = "refused"
        parent_done.wait(30)
        seen = sorted(m.name for m in Member.objects(side="parent"))
        results.put(("ok", clash, seen))
    except BaseException as exc:  # reported to the test, which fails on it
        results.put(("error", repr(exc), []))


def test_two_processes_write_and_read_one_store(store: Path) -> None:
    Member(name="parent 0", email="parent0@example.kz", side="parent").save()
    assert Member.objects(side="child").count() == 0  # this process's index is built now
    # Forked with the store open, as gunicorn forks its workers: the child must not use the
    # parent's SQLite connections (it gets a client of its own) nor close them.
    context = multiprocessing.get_context("fork")
    ready, parent_done, results = context.Event(), context.Event(), context.Queue()
    child = context.Process(target=_worker, args=(ready, parent_done, results))
    child.start()
    try:
        ready.set()
        for i in range(1, 20):
            Member(name=f"parent {i}", email=f"parent{i}@example.kz", side="parent").save()
        parent_done.set()
        status, clash, seen = results.get(timeout=60)
    finally:
        child.join(30)
    assert (status, clash) == ("ok", "refused"), clash
    assert seen == sorted(f"parent {i}" for i in range(20))
    assert child.exitcode == 0

    # The child's writes reached this process's index (rebuilt: another connection wrote).
    assert sorted(m.name for m in Member.objects(side="child")) == sorted(
        f"child {i}" for i in range(20)
    )
    with pytest.raises(me.NotUniqueError):
        Member(name="Clash", email="child7@example.kz").save()
    Member.objects(email="child7@example.kz").update_one(set__name="updated here")
    assert Member.objects(name="updated here").count() == 1
    assert Member.objects.count() == 40


def test_the_collection_file_opens_as_litemongos_does(tmp_path: Path) -> None:
    ours = CollectionStore(tmp_path / "ours")
    theirs = sqlite_store.CollectionStore(tmp_path / "theirs")
    try:
        # The same state after open (a litemongo upgrade that changes open() shows up here),
        # and the position in the file's change log (services.common.db.changelog).
        assert set(vars(ours)) == set(vars(theirs)) | {"_seen_change"}
        for name in ("_is_force_created", "_ttl_indexes", "_query_index", "_data_version"):
            assert getattr(ours, name) == getattr(theirs, name)
        assert ours._documents.key_format == theirs._documents.key_format
        journal = "PRAGMA journal_mode"
        assert ours._connection.execute(journal).fetchone() == ("wal",)
        assert ours._connection.execute(journal).fetchone() == (
            theirs._connection.execute(journal).fetchone()
        )

        # Only ours may be used from a thread other than the one that opened it.
        ours["k"] = {"_id": "k", "n": 1}
        assert in_thread(lambda: ours["k"]) == {"_id": "k", "n": 1}
        theirs["k"] = {"_id": "k", "n": 1}
        with pytest.raises(sqlite3.ProgrammingError):
            in_thread(lambda: theirs["k"])
    finally:
        ours.close()
        theirs.close()
