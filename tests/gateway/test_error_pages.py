"""Error answers of the pages: HTML in the page's language, keeping what was typed.

These need no services: a gateway on its own answers 404, 413, 429 and 500 for its pages.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.app import create_app
from gateway.i18n import LANGUAGES, message_ids, translate
from gateway.pages import present
from services.common.errors import Problem
from tests.gateway.conftest import close_gateway, gateway_settings

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
H1 = re.compile(r"<h1>(.*?)</h1>", re.S)


def _app(tmp_path: Path, **overrides: object) -> Iterator[Flask]:
    app = create_app(gateway_settings(tmp_path, None, **overrides))
    yield app
    close_gateway(app)


@pytest.fixture
def alone(tmp_path: Path) -> Iterator[Flask]:
    """A gateway with no services behind it."""
    yield from _app(tmp_path)


def _csrf(client: FlaskClient, path: str) -> str:
    found = CSRF.search(client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


@pytest.mark.parametrize(("lang", "title"), [("kk", "Табылмады"), ("ru", "Не найдено"),
                                             ("en", "Not found")])  # fmt: skip
def test_unknown_address_is_a_page_in_the_page_language(
    alone: Flask, lang: str, title: str
) -> None:
    resp = alone.test_client().get(f"/no/such/page?lang={lang}")
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    assert H1.search(html).group(1) == title  # type: ignore[union-attr]
    assert f'lang="{lang}"' in html and "problem+json" not in html


def test_unknown_api_address_stays_problem_json(alone: Flask) -> None:
    resp = alone.test_client().get("/api/v1/no-such-route")
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
    assert resp.get_json()["status"] == 404


def test_oversized_form_comes_back_with_the_text_and_each_limit(alone: Flask) -> None:
    client = alone.test_client()
    token = _csrf(client, "/register?lang=ru")
    cv = "Опыт работы аналитиком данных в банке и в госсекторе. " * 1300  # 70k characters
    resp = client.post(
        "/register",
        data={"csrf_token": token, "role": "learner", "email": "a@b.kz", "password": "p" * 9,
              "name": "Айгерим Садыкова", "cv_text": cv},
    )  # fmt: skip
    html = resp.get_data(as_text=True)
    assert resp.status_code == 413 and resp.mimetype == "text/html"
    assert "Отправленное больше 256 КиБ" in html
    count = f"{len(cv):,}".replace(",", " ")
    assert f"О себе / резюме: {count} символов (не больше 20 000)" in html
    assert cv.strip() in html  # the whole CV is back in its textarea
    assert 'value="Айгерим Садыкова"' in html  # and so is the rest of the form
    assert "request body is larger" not in html


def test_oversized_form_posted_from_elsewhere_is_not_shown_back(alone: Flask) -> None:
    client = alone.test_client()
    client.get("/register")
    resp = client.post("/register", data={"cv_text": "x" * 300_000, "csrf_token": "forged"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 413 and "x" * 1000 not in html
    assert "Текст слишком длинный" in html or "text is too long" in html.lower()


def test_far_too_large_form_is_refused_without_reading_it(alone: Flask) -> None:
    client = alone.test_client()
    token = _csrf(client, "/register?lang=kk")
    resp = client.post("/register", data={"csrf_token": token, "cv_text": "й" * 1_200_000})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 413 and "Мәтін тым ұзын" in html
    assert "артқа оралыңыз" in html  # says how to get the text back


def test_rate_limited_page_is_a_page_saying_when_to_retry(tmp_path: Path) -> None:
    for app in _app(tmp_path, ratelimit_anonymous="3/minute"):
        client = app.test_client()
        answers = [client.get("/login?lang=ru") for _ in range(4)]
        limited = answers[-1]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        html = limited.get_data(as_text=True)
        assert limited.mimetype == "text/html" and "Слишком много запросов" in html
        assert int(limited.headers["Retry-After"]) >= 1
        assert client.get("/api/v1/courses").mimetype == "application/problem+json"


def test_unexpected_failure_is_a_page_without_details(
    alone: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway import logins

    def broken(**_kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(logins, "sign_in", broken)
    client = alone.test_client()
    token = _csrf(client, "/login?lang=en")
    resp = client.post("/login", data={"csrf_token": token, "email": "a@b.kz", "password": "x"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 500 and resp.mimetype == "text/html"
    assert "Something went wrong on our side" in html and "secret internals" not in html


@pytest.mark.parametrize(
    ("problem", "lang", "lines"),
    [
        (Problem("profile: the body is not valid", status=422, errors=[
            {"field": "profile.bin",
             "message": "Value error, check digit mismatch: the last digit should be 4"}]),
         "ru", ["БИН: контрольная цифра не совпадает (последняя цифра должна быть 4)"]),
        (Problem("the learner is already enrolled on this course", status=409, errors=[
            {"field": "course_id", "message": "active enrolment 65ab"}]),
         "kk", ["Сіз бұл курсқа жазылып қойғансыз."]),
        (Problem("the body is not valid", status=422, errors=[
            {"field": "title", "message": "String should have at most 300 characters"},
            {"field": "salary_max", "message": "Input should be a valid integer"}]),
         "ru", ["Должность: не длиннее 300 символов", "Зарплата до, ₸: должно быть целым числом"]),
        (Problem("cannot move an application from hired to interview; from hired it may go to "
                 "nothing (final)", status=409),
         "ru", ["Отклик в статусе «принят» нельзя перевести в «собеседование»."]),
        (Problem("something nobody has translated", status=400), "kk",
         ["Сұраныс орындалмады (коды 400)."]),
        (Problem("something nobody has translated", status=400), "en",
         ["something nobody has translated"]),
    ],
)  # fmt: skip
def test_service_problems_read_in_the_page_language(
    alone: Flask, problem: Problem, lang: str, lines: list[str]
) -> None:
    with alone.test_request_context("/"):
        assert present.problem_lines(problem, lang) == lines


def test_every_staff_message_exists_in_three_languages_with_the_same_placeholders() -> None:
    fields = string.Formatter()
    # The employer, admin, error-page, problem and ministry messages (all in the catalogues).
    areas = (
        "problem.",
        "vacancy.",
        "field.",
        "error.",
        "admin.",
        "candidate.",
        "hint.",
        "ministry.",
    )
    for key in sorted(k for k in message_ids() if k.startswith(areas)):
        texts = [translate(lang, key) for lang in LANGUAGES]
        assert all(t.strip() and t != key for t in texts), key
        names = [{f for _, f, _, _ in fields.parse(t) if f} for t in texts]
        assert names[0] == names[1] == names[2], key


def test_wrong_method_is_a_page_for_pages_and_problem_json_for_the_api(alone: Flask) -> None:
    client = alone.test_client()
    page = client.get("/logout?lang=ru")
    assert page.status_code == 405 and page.mimetype == "text/html"
    assert "Так нельзя" in page.get_data(as_text=True) and page.headers["Allow"]
    api = client.get("/api/v1/auth/token")
    assert api.status_code == 405 and api.mimetype == "application/problem+json"
    assert "POST" in api.headers["Allow"]
