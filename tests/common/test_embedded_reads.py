"""By-id reads on the embedded store (``find_by_id``): the queryset's document, as fresh as it.

The reads run against a litemongo store in a temp dir, opened as the services open theirs;
"another thread" and "another process" write through their own litemongo connections, which is
what made the mongomock query rebuild its index and what the primary-key read must still see.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import mongoengine as me
import pytest
from bson import ObjectId

from services.common.db import Store, atomic, close_db, find_by_id, find_son_by_id, init_db
from services.common.settings import BaseSettings
from tests.support.mongo_model import ModelClient
from tests.support.threads import in_thread

ALIAS = "embedded_reads"
ROOT = Path(__file__).resolve().parents[2]


class Skill(me.EmbeddedDocument):
    label = me.StringField(required=True)
    level = me.IntField(null=True)


class Person(me.Document):
    name = me.StringField(required=True)
    email = me.StringField(required=True, unique=True)
    skills = me.EmbeddedDocumentListField(Skill)
    tags = me.ListField(me.StringField())
    joined = me.DateTimeField()
    meta = {"db_alias": ALIAS, "collection": "people", "indexes": ["name"]}


class Token(me.Document):
    jti = me.StringField(primary_key=True)
    meta = {"db_alias": ALIAS, "collection": "tokens"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    settings = BaseSettings.from_env(env={}, data_dir=tmp_path, testing=True, service="reads")
    init_db(settings, ALIAS)
    Person.ensure_indexes()
    yield tmp_path
    close_db(ALIAS)


def person(name: str = "Aigerim", email: str = "a@example.kz") -> Person:
    return Person(
        name=name,
        email=email,
        skills=[Skill(label="SQL", level=3), Skill(label="Excel")],
        tags=["data", "ru"],
        joined=datetime(2025, 9, 1, 8, 30, 15, 123000),
    ).save()


def both(record_id: object) -> tuple[Person | None, Person | None]:
    """Return (fast read, queryset read) of the same id."""
    oid = record_id if isinstance(record_id, ObjectId) else None
    query = Person.objects(id=oid).first() if oid is not None else None
    return find_by_id(Person, record_id), query  # type: ignore[arg-type]


def test_the_document_is_the_querysets(store: Path) -> None:
    saved = person()
    fast, query = both(saved.id)
    assert fast is not None and query is not None
    assert fast.to_mongo().to_dict() == query.to_mongo().to_dict()
    assert fast.pk == saved.pk and fast.name == "Aigerim" and fast.tags == ["data", "ru"]
    assert [type(s) for s in fast.skills] == [Skill, Skill]
    assert [(s.label, s.level) for s in fast.skills] == [("SQL", 3), ("Excel", None)]
    assert fast.joined == query.joined == datetime(2025, 9, 1, 8, 30, 15, 123000)
    assert fast._created is query._created is False
    assert fast._get_changed_fields() == []
    # Saved back, the fast read's document updates the record instead of inserting another.
    fast.name = "Aigerim S."
    fast.save()
    assert Person.objects.count() == 1
    assert find_by_id(Person, str(saved.id)).name == "Aigerim S."  # type: ignore[union-attr]


def test_missing_invalid_and_deleted_ids_give_none(store: Path) -> None:
    saved = person()
    assert both(ObjectId()) == (None, None)
    for bad in ("not-an-id", "", None):
        assert find_by_id(Person, bad) is None
    saved.delete()
    assert both(saved.id) == (None, None)


def test_a_collection_never_written_gives_none_and_stays_absent(store: Path) -> None:
    class Absent(me.Document):
        meta = {"db_alias": ALIAS, "collection": "absent"}

    assert find_by_id(Absent, ObjectId()) is None
    assert "absent" not in me.get_db(ALIAS).list_collection_names()


def test_writes_of_another_thread_are_seen_right_after(store: Path) -> None:
    saved = person()
    assert find_by_id(Person, saved.id) is not None  # this thread's connection is open

    in_thread(lambda: Person.objects(id=saved.id).update_one(set__name="Renamed", push__tags="kk"))
    fast, query = both(saved.id)
    assert fast is not None and query is not None
    assert (fast.name, fast.tags) == (query.name, query.tags) == ("Renamed", ["data", "ru", "kk"])

    made: list[Person] = []
    in_thread(lambda: made.append(person("Dias", "d@example.kz")))
    fast, query = both(made[0].id)
    assert fast is not None and query is not None and fast.name == query.name == "Dias"

    in_thread(lambda: Person.objects(id=saved.id).delete())
    assert both(saved.id) == (None, None)


def test_writes_of_another_process_are_seen_right_after(store: Path) -> None:
    saved = person()
    assert find_by_id(Person, saved.id) is not None
    script = (
        "import mongoengine as me\n"
        "from bson import ObjectId\n"
        "from pathlib import Path\n"
        "from services.common.db import atomic, init_db\n"
        "from services.common.settings import BaseSettings\n"
        f"s = BaseSettings.from_env(env={{}}, data_dir=Path({str(store)!r}), service='other')\n"
        f"init_db(s, {ALIAS!r})\n"
        f"with atomic({ALIAS!r}):\n"
        f"    me.get_db({ALIAS!r})['people'].update_one(\n"
        f"        {{'_id': ObjectId({str(saved.id)!r})}},\n"
        "        {'$set': {'name': 'From a worker'}})\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=60)
    fast, query = both(saved.id)
    assert fast is not None and query is not None
    assert fast.name == query.name == "From a worker"


def test_a_write_earlier_in_the_same_atomic_block_is_seen(store: Path) -> None:
    saved = person()
    with atomic(ALIAS):
        Person.objects(id=saved.id).update_one(set__name="In the block")
        assert find_by_id(Person, saved.id).name == "In the block"  # type: ignore[union-attr]


def test_raw_sons_by_any_primary_key(store: Path) -> None:
    Token(jti="tok-1").save()
    assert find_son_by_id(Token, "tok-1") == {"_id": "tok-1"}
    assert find_son_by_id(Token, "tok-2") is None
    in_thread(lambda: Token.objects(jti="tok-1").delete())
    assert find_son_by_id(Token, "tok-1") is None


def test_a_server_store_answers_through_the_query(tmp_path: Path) -> None:
    env = {"MONGODB_URI": "mongodb://127.0.0.1:9/"}
    settings = BaseSettings.from_env(env=env, data_dir=tmp_path, testing=True, service="srv")
    opened = Store(settings, ALIAS, client_class=ModelClient).open()
    try:
        saved = person()
        got, query = both(saved.id)
        assert got is not None and query is not None
        assert got.to_mongo().to_dict() == query.to_mongo().to_dict()
        assert got.joined.tzinfo is not None  # the server client's own decoding (tz-aware)
        assert find_by_id(Person, ObjectId()) is None
        assert find_son_by_id(Person, saved.id)["name"] == "Aigerim"  # type: ignore[index]
        # Nothing was written to an embedded store's files for this alias.
        assert not (tmp_path / ALIAS).exists()
    finally:
        opened.close()
