"""State per app, not per module (stores, operations, switches); the UTC and language rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import mongoengine as me
import pytest
from flask import Blueprint, Flask
from pydantic import BaseModel, ValidationError, field_validator

from services.common import listing
from services.common.api import endpoint
from services.common.app import create_service_app
from services.common.clock import as_utc, stored_time
from services.common.db import close_db, database, init_db, is_embedded
from services.common.languages import LANGUAGE_ONCE, unique_languages
from services.common.settings import BaseSettings

ALIAS = "kit_state"


class Mark(me.Document):
    label = me.StringField(required=True)
    meta = {"db_alias": ALIAS}


def _bp(name: str, rule: str) -> Blueprint:
    bp = Blueprint(name, __name__)

    @endpoint(bp, "GET", rule)
    def list_marks() -> list[str]:
        """List the marks."""
        return [m.label for m in Mark.objects.order_by("label")]

    return bp


def _app(data_dir: Path, rule: str = "/marks", **settings: object) -> Flask:
    config = BaseSettings.from_env(env={}, data_dir=data_dir, testing=True, **settings)
    return create_service_app(
        "kit_state", config, alias=ALIAS, blueprints=[_bp("marks", rule)], title="t"
    )


@pytest.fixture(autouse=True)
def _closed() -> Iterator[None]:
    yield
    close_db(ALIAS)


def test_an_app_keeps_its_own_store_after_another_app_takes_the_alias(tmp_path: Path) -> None:
    first = _app(tmp_path / "a")
    with first.app_context():
        Mark(label="first").save()
    second = _app(tmp_path / "b")
    with second.app_context():
        Mark(label="second").save()
    assert first.test_client().get("/marks").get_json() == ["first"]
    assert second.test_client().get("/marks").get_json() == ["second"]
    assert first.test_client().get("/marks").get_json() == ["first"]


def test_a_store_opened_outside_flask_is_explicit(tmp_path: Path) -> None:
    store = init_db(BaseSettings.from_env(env={}, data_dir=tmp_path, testing=True), ALIAS)
    assert store.embedded and is_embedded(ALIAS)
    database(ALIAS)["raw"].insert_one({"_id": 1})
    assert store.database()["raw"].find_one({"_id": 1}) == {"_id": 1}
    store.ping()


def test_openapi_lists_only_the_apps_own_operations(tmp_path: Path) -> None:
    # Both blueprints are named "marks": a registry keyed by name would mix the two apps.
    first = _app(tmp_path / "a", rule="/marks")
    second = _app(tmp_path / "b", rule="/other-marks")
    first_paths = first.test_client().get("/openapi.json").get_json()["paths"]
    second_paths = second.test_client().get("/openapi.json").get_json()["paths"]
    assert "/marks" in first_paths and "/other-marks" not in first_paths
    assert "/other-marks" in second_paths and "/marks" not in second_paths


def test_read_models_follow_the_settings(tmp_path: Path) -> None:
    assert listing.enabled(_app(tmp_path / "on"))
    off = BaseSettings.from_env(env={"QABILET_READ_MODELS": "false"}, data_dir=tmp_path / "off")
    assert not off.read_models
    assert not listing.enabled(_app(tmp_path / "off", read_models=False))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 1, 2, 3, 4, 5), datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (
            datetime(2026, 1, 2, 8, 4, 5, tzinfo=timezone(timedelta(hours=5))),
            datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        ),
    ],
)
def test_as_utc_reads_naive_times_as_utc_and_converts_aware_ones(
    value: datetime, expected: datetime
) -> None:
    assert as_utc(value) == expected and as_utc(value).tzinfo is UTC


def test_stored_time_keeps_milliseconds_only() -> None:
    assert stored_time(datetime(2026, 1, 1, 0, 0, 0, 123456)).microsecond == 123000


class _Language(BaseModel):
    code: str


class _Languages(BaseModel):
    languages: list[_Language] | None = None
    check = field_validator("languages")(unique_languages)


def test_each_language_may_appear_once() -> None:
    assert _Languages(languages=[{"code": "kk"}, {"code": "ru"}]).languages is not None
    with pytest.raises(ValidationError, match=LANGUAGE_ONCE):
        _Languages(languages=[{"code": "kk"}, {"code": "kk"}])
