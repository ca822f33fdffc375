"""The admin's load-run page through the test client: bounds, confirmation, one run at a time."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.pages import loadrun
from tests.gateway.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.gateway.learner_pages import text_of
from tests.gateway.test_pages import csrf_of, web_login
from tests.gateway.world import World


@pytest.fixture
def admin(gateway: Flask) -> FlaskClient:
    return web_login(gateway.test_client(), ADMIN_EMAIL, ADMIN_PASSWORD)


@pytest.fixture
def runs(gateway: Flask) -> Iterator[Path]:
    """The load runs' directory of the test gateway, emptied before and after."""
    folder = Path(gateway.config["SETTINGS"].data_dir) / "load-runs"
    for name in (loadrun.LOCK, loadrun.STATE):
        (folder / name).unlink(missing_ok=True)
    yield folder
    for name in (loadrun.LOCK, loadrun.STATE):
        (folder / name).unlink(missing_ok=True)


def _post(client: FlaskClient, **form: str) -> tuple[int, str]:
    token = csrf_of(client.get("/admin/load?lang=ru").get_data(as_text=True))
    resp = client.post("/admin/load?lang=ru", data={"csrf_token": token, **form})
    return resp.status_code, text_of(resp.get_data(as_text=True))


def test_a_run_beyond_the_bounds_or_unconfirmed_is_refused_in_the_page_language(
    admin: FlaskClient, runs: Path
) -> None:
    status, text = _post(admin, users="51", seconds="61")
    assert status == 422
    assert "Пользователей: укажите число от 1 до 50." in text
    assert "Длительность: укажите от 5 до 60 секунд." in text
    assert "Подтвердите запуск галочкой." in text
    status, text = _post(admin, users="ten", seconds="30", confirm="on")
    assert status == 422 and "от 1 до 50" in text
    assert not (runs / loadrun.STATE).exists(), "nothing may start"
    assert admin.get("/admin/load/status").get_json() == {"running": False, "run_id": None}


def test_a_second_run_waits_for_the_one_going_even_from_another_worker(
    admin: FlaskClient, runs: Path
) -> None:
    # A run another worker started: its lock and state on disk, its process alive.
    going = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        state = {"run_id": "other", "pid": going.pid, "users": 5, "seconds": 30,
                 "started": time.time() - 12, "by": "someone", "host": "x"}  # fmt: skip
        runs.mkdir(parents=True, exist_ok=True)
        (runs / loadrun.STATE).write_text(json.dumps(state))
        (runs / loadrun.LOCK).write_text(str(going.pid))
        (runs / "other.log").write_text("creating accounts through the admin API ...\n")
        status, text = _post(admin, users="5", seconds="10", confirm="on")
        assert status == 409 and "Уже идёт другой прогон" in text
        polled = admin.get("/admin/load/status?lang=kk").get_json()
        assert polled["running"] is True and polled["elapsed"] >= 12
        assert polled["text"].startswith("Сынақ жүріп жатыр (5 пайдаланушы")
        assert "creating accounts" in polled["log"]
        page = admin.get("/admin/load?lang=kk").get_data(as_text=True)
        assert 'data-running="true"' in page and "loadrun.js" in page
    finally:
        going.kill()
        going.wait()
    # The process is gone without an exit file (its worker died): the page says so, and the
    # stale lock no longer blocks; the status line is honest that the outcome is unknown.
    polled = admin.get("/admin/load/status?lang=ru").get_json()
    assert polled["running"] is False and polled["exit_code"] is None
    assert "итог неизвестен" in polled["text"]
    with pytest.raises(FileExistsError):
        # the lock file is still there until a new start clears it
        (runs / loadrun.LOCK).open("x")


def test_only_an_admin_opens_the_load_page(gateway: Flask, world: World) -> None:
    ministry = web_login(gateway.test_client(), world["ministry"].email)
    assert ministry.get("/admin/load?lang=ru").status_code == 403
    token = csrf_of(ministry.get("/ministry?lang=ru").get_data(as_text=True))
    resp = ministry.post("/admin/load", data={"csrf_token": token, "users": "5", "seconds": "10",
                                              "confirm": "on"})  # fmt: skip
    assert resp.status_code == 403
    assert ministry.get("/admin/load/status").status_code == 403
