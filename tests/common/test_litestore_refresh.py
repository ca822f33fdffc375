"""Another process's writes reach this process's index through the file's change log.

Two real processes on one litemongo store in a temp dir, opened as the services open theirs:
this one builds its index, a forked one (a gunicorn worker) inserts, updates, deletes and
re-creates documents, and this process must then answer exactly as a fresh client of the store
does (the same documents in the same order, through index-planned queries too, the same unique
index violations) having patched its index from the log, not rebuilt it. A process further
behind than the log keeps rebuilds, and answers the same.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import mongoengine as me
import pytest
from bson import ObjectId

from services.common.db import changelog, close_db, database, init_db
from services.common.db.litestore import CollectionStore, shared_client
from services.common.settings import BaseSettings

ALIAS = "litestore_refresh"
SIDES = ("a", "b", "c")


class Member(me.Document):
    name = me.StringField(required=True)
    email = me.StringField(required=True, unique=True)
    side = me.StringField()
    tags = me.ListField(me.StringField())
    n = me.IntField()
    meta = {"db_alias": ALIAS, "collection": "members", "indexes": ["side", "tags"]}


def open_store(data_dir: Path) -> None:
    settings = BaseSettings.from_env(env={}, data_dir=data_dir, testing=True, service="refresh")
    init_db(settings, ALIAS)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    open_store(tmp_path)
    Member.ensure_indexes()
    yield tmp_path
    close_db(ALIAS)


def members() -> Any:
    return database(ALIAS)["members"]


def collection_store() -> CollectionStore:
    """Return this process's litemongo store of the members collection."""
    db = database(ALIAS)
    found: CollectionStore = db.client.store_client()._store[db.name]["members"]
    return found


def seed(count: int) -> list[ObjectId]:
    ids = [ObjectId() for _ in range(count)]
    members().insert_many(
        [
            {
                "_id": oid,
                "name": f"m{i}",
                "email": f"m{i}@example.kz",
                "side": SIDES[i % 3],
                "tags": [f"t{i % 4}", f"t{i % 5}"],
                "n": i,
            }
            for i, oid in enumerate(ids)
        ]
    )
    return ids


def in_other_process(work: Callable[[], None]) -> None:
    """Run ``work`` in a forked process (a worker of the same store) and wait for it."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()

    def run() -> None:
        try:
            work()
            results.put("ok")
        except BaseException as exc:  # reported to the test, which fails on it
            results.put(repr(exc))

    child = context.Process(target=run)
    child.start()
    try:
        assert results.get(timeout=60) == "ok"
    finally:
        child.join(30)
    assert child.exitcode == 0


def answers(collection: Any, ids: list[ObjectId]) -> list[Any]:
    """Results of queries planned by each index (and not), in the order the store gives."""
    queries: list[dict[str, Any]] = [
        {},
        {"side": "moved"},
        {"side": {"$in": ["a", "new", "reborn"]}},
        {"email": "m3@example.kz"},
        {"email": "changed14@example.kz"},
        {"tags": "t1"},
        {"tags": {"$in": ["t0", "x"]}},
        {"_id": {"$in": ids[::3]}},
        {"side": "b", "n": {"$gte": 3}},
        {"$and": [{"side": "a"}, {"tags": "t2"}]},
    ]
    found: list[Any] = [list(collection.find(q)) for q in queries]
    found.append(collection.count_documents({}))
    return found


def index_view(store: CollectionStore) -> tuple[list[Any], dict[str, Any]]:
    """Return the index's keys in natural order and each field's entries (mongomock's)."""
    index: Any = store._get_query_index()
    order = sorted(index._docs, key=index._docs.__getitem__)
    fields = {
        path: (field._entries, field._unkeyed, field._doc_keys)
        for path, field in index._fields.items()
    }
    return order, fields


def fresh_view(data_dir: Path) -> tuple[list[Any], tuple[list[Any], dict[str, Any]]]:
    """What a fresh client of the store answers and the index it builds."""
    db = database(ALIAS)
    with db.client.lock:
        client = shared_client(db.client.path)
        try:
            collection = client[db.name]["members"]
            return answers(collection, _ids(collection)), index_view(
                client._store[db.name]["members"]
            )
        finally:
            client.close()


def _ids(collection: Any) -> list[ObjectId]:
    return sorted((d["_id"] for d in collection.find({}, {"_id": 1})), key=str)


def assert_as_fresh(data_dir: Path) -> None:
    fresh_answers, fresh_index = fresh_view(data_dir)
    assert answers(members(), _ids(members())) == fresh_answers
    with database(ALIAS).client.lock:
        assert index_view(collection_store()) == fresh_index


def test_another_process_changes_are_patched_in_as_a_fresh_client_sees_them(store: Path) -> None:
    ids = seed(40)
    assert members().count_documents({"side": "a"}) == 14  # this process's index is built
    built = collection_store().rebuilds
    patches = collection_store().patches

    def changes() -> None:
        coll = members()
        coll.insert_many(
            [{"name": f"new{i}", "email": f"new{i}@example.kz", "side": "new"} for i in range(5)]
        )
        for oid in ids[0:5]:
            coll.update_one({"_id": oid}, {"$set": {"side": "moved"}})
        for oid in ids[5:8]:
            coll.update_one({"_id": oid}, {"$set": {"tags": ["t1", "t9"]}})
        coll.delete_many({"_id": {"$in": ids[8:13]}})
        # Deleted and created again under the same id: it goes last in natural order.
        reborn = coll.find_one({"_id": ids[13]})
        coll.delete_one({"_id": ids[13]})
        coll.insert_one(reborn | {"side": "reborn"})
        coll.update_one({"_id": ids[14]}, {"$set": {"email": "changed14@example.kz"}})
        coll.replace_one({"_id": ids[15]}, {"name": "r", "email": "r@example.kz", "side": "c"})
        coll.update_many({"side": "a"}, {"$inc": {"n": 100}})
        coll.update_one({"_id": "upserted"}, {"$set": {"email": "u@example.kz"}}, upsert=True)
        # A unique violation refused (and rolled back) over there is logged too.
        with pytest.raises(me.NotUniqueError):
            Member(name="dup", email="m20@example.kz").save()

    in_other_process(changes)
    assert_as_fresh(store)
    assert collection_store().rebuilds == built
    assert collection_store().patches == patches + 1

    # Unique indexes see the other process's values, and no longer its replaced ones.
    with pytest.raises(me.NotUniqueError):
        Member(name="again", email="new3@example.kz").save()
    with pytest.raises(me.NotUniqueError):
        Member(name="again", email="changed14@example.kz").save()
    Member(name="freed", email="m14@example.kz", side="a").save()  # its old value
    Member(name="freed", email="m9@example.kz", side="a").save()  # a deleted member's

    # This process's own write meets a stale index: it is patched under the write (the unique
    # check is a query) and the write is kept.
    in_other_process(lambda: members().delete_one({"_id": ids[20]}))
    Member(name="after", email="m20@example.kz", side="b").save()
    in_other_process(lambda: members().update_one({"_id": ids[21]}, {"$set": {"side": "x"}}))
    members().update_one({"_id": ids[22]}, {"$set": {"side": "x"}})
    assert [d["_id"] for d in members().find({"side": "x"})] == ids[21:23]
    assert_as_fresh(store)
    assert collection_store().rebuilds == built


def test_a_process_further_behind_than_the_log_rebuilds(tmp_path: Path) -> None:
    # The file's log keeps about 30 changes (trimmed every 10): created before the store opens
    # it, as litemongo would create the documents table.
    open_store(tmp_path)
    db = database(ALIAS)
    path = db.client.path / db.name / "members"
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE documents(_id PRIMARY KEY, doc)")
    changelog.install(connection, "documents", window=30, trim_every=10)
    connection.close()
    try:
        Member.ensure_indexes()
        ids = seed(20)
        assert members().count_documents({"side": "b"}) == 7
        built = collection_store().rebuilds

        def many() -> None:
            # The creations and deletions scroll out of the log behind the updates.
            members().insert_many(
                [{"name": f"x{i}", "email": f"x{i}@example.kz", "side": "b"} for i in range(10)]
            )
            members().delete_many({"_id": {"$in": ids[:3]}})
            for i in range(60):
                members().update_one({"_id": ids[5]}, {"$set": {"n": i}})

        in_other_process(many)
        assert_as_fresh(tmp_path)
        assert collection_store().rebuilds == built + 1
        log_rows = (
            collection_store()
            ._connection.execute(f"SELECT count(*) FROM {changelog.LOG}")
            .fetchone()[0]
        )
        assert log_rows <= 40  # trimmed

        # Near again: patched.
        in_other_process(lambda: members().delete_one({"_id": ids[3]}))
        assert_as_fresh(tmp_path)
        assert collection_store().rebuilds == built + 1
    finally:
        close_db(ALIAS)
