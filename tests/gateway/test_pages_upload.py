"""The provider's CSV upload page: a per-row report in kk and ru; 413, 415 and 422 as pages."""

from __future__ import annotations

import re
import uuid
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.gateway.learner_pages import text_of
from tests.gateway.test_pages import csrf_of, web_login
from tests.gateway.world import API, World, learner_profile, make_provider, ok

RAW_KEY = re.compile(r"\b(?:upload|nav|field|problem|provider|invite)\.[a-z_.0-9]+\b")
# The file format's own words: values and column names as they must be typed; the site's name.
FORMAT_WORDS = {"enrol", "complete", "drop", "action", "date", "grade", "qabilet"}
HEAD = "learner_email,course_id,action,date,grade\n"


def _digits() -> str:
    return str(uuid.uuid4().int)[:8]


@pytest.fixture(scope="module")
def school(gateway: Flask, world: World) -> dict[str, Any]:
    """A provider with a Kazakh name (no Latin words on its pages) and one course."""
    client = gateway.test_client()
    name = f"Оқу орталығы {_digits()}"
    provider = make_provider(client, world["admin"], f"{_digits()}@up.kz", name)
    course = ok(
        client.post(
            f"{API}/courses",
            headers=provider.headers,
            json={"title": "Деректер талдауы", "language": "kk", "hours": 20, "level": "beginner"},
        ),
        201,
    )
    return {"provider": provider, "course": course}


def _learner_email(client: FlaskClient, world: World) -> str:
    email = f"{_digits()}@upload.kz"
    profile = learner_profile("Тыңдаушы", [], consent=True)
    ok(client.post(f"{API}/learners", headers=world["admin"].headers,
                   json={**profile, "email": email}), 201)  # fmt: skip
    return email


def _upload(tab: FlaskClient, lang: str, data: bytes, name: str = "rows.csv", **kw: Any) -> Any:
    token = csrf_of(tab.get(f"/provider/upload?lang={lang}").get_data(as_text=True))
    return tab.post(
        "/provider/upload",
        data={"csrf_token": token, "file": (BytesIO(data), name, kw.get("mimetype", "text/csv"))},
        content_type="multipart/form-data",
    )


def _english(html: str) -> list[str]:
    """Return Latin words of the page's interface (code samples and the format's words apart)."""
    html = re.sub(r"<(pre|code)[^>]*>.*?</\1>", " ", html, flags=re.S)
    body = text_of(html).split("Qabilet", 2)[-1]
    return [w for w in re.findall(r"\b[A-Za-z]{4,}\b", body) if w.lower() not in FORMAT_WORDS]


@pytest.mark.parametrize(
    ("lang", "applied", "grade_line"),
    [("kk", "қолданылды", "0-ден 100-ге дейінгі сан"), ("ru", "применено", "число от 0 до 100")],
)
def test_provider_uploads_one_good_and_one_bad_row_and_reads_the_report(
    client: FlaskClient,
    gateway: Flask,
    world: World,
    school: dict[str, Any],
    lang: str,
    applied: str,
    grade_line: str,
) -> None:
    tab = web_login(gateway.test_client(), school["provider"].email)
    home = tab.get(f"/provider?lang={lang}").get_data(as_text=True)
    assert 'id="upload-link" href="/provider/upload"' in home, text_of(home)[:800]
    email, course_id = _learner_email(client, world), school["course"]["id"]
    text = HEAD + f"{email},{course_id},enrol,2025-09-01,\n{email},{course_id},enrol,,150\n"
    resp = _upload(tab, lang, text.encode())
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, text_of(html)[:600]
    totals = dict(re.findall(r'data-total="(\w+)">(\d+)<', html))
    assert totals == {"received": "2", "applied": "1", "rejected": "1"}
    rows = dict(re.findall(r'<tr class="upload-row (\w+)" data-row="(\d+)"', html))
    assert rows == {"ok": "2", "error": "3"}
    bad = re.search(r'<tr class="upload-row error".*?</tr>', html, re.S)
    assert bad
    cells = text_of(bad.group(0))
    grade = "Баға" if lang == "kk" else "Оценка"
    assert "422" in cells and grade in cells and 'data-column="grade"' in bad.group(0)
    assert (
        "баға тек аяқтауда болады" if lang == "kk" else "оценка бывает только у завершения"
    ) in cells
    good = re.search(r'<tr class="upload-row ok".*?</tr>', html, re.S)
    assert good and "201" in good.group(0) and applied in text_of(good.group(0))
    assert 'id="upload-form"' in html  # the form stays for the next file
    assert not RAW_KEY.search(text_of(html)), RAW_KEY.findall(text_of(html))
    assert not _english(html), _english(html)[:10]
    # A grade out of range on a completion says so in the page's language.
    later = HEAD + f"{email},{course_id},complete,2025-10-01,150\n"
    again = _upload(tab, lang, later.encode()).get_data(as_text=True)
    assert grade_line in text_of(again)
    # The enrolment is there: the provider's course counts it.
    listed = ok(client.get(f"{API}/courses/{course_id}"))
    assert listed["id"] == course_id


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_upload_refusals_are_pages_in_the_pages_language_with_the_form(
    gateway: Flask, school: dict[str, Any], lang: str
) -> None:
    tab = web_login(gateway.test_client(), school["provider"].email)
    cases = [
        (422, "почта,курс\nx,y\n".encode(), "rows.csv", "text/csv"),  # no needed columns
        (415, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "photo.png", "image/png"),
        (413, HEAD.encode() + b"a@b.kz,c,enrol,,\n" * 20_000, "big.csv", "text/csv"),
    ]
    for status, data, name, mimetype in cases:
        resp = _upload(tab, lang, data, name, mimetype=mimetype)
        html = resp.get_data(as_text=True)
        assert resp.status_code == status, (status, text_of(html)[:500])
        assert resp.mimetype == "text/html"
        assert 'id="upload-form"' in html, status  # still usable
        box = re.search(r'<div class="flash error" role="alert">.*?</div>', html, re.S)
        assert box, status
        assert not RAW_KEY.search(text_of(html)), RAW_KEY.findall(text_of(html))
        assert not _english(html), (status, _english(html)[:10])
    header = _upload(tab, lang, "почта,курс\nx,y\n".encode()).get_data(as_text=True)
    expected = (
        "Файлдың тақырып жолы дұрыс емес." if lang == "kk" else "Строка заголовка файла неверна."
    )
    assert expected in text_of(header)
    # No file chosen: the form says so, nothing is sent.
    token = csrf_of(tab.get(f"/provider/upload?lang={lang}").get_data(as_text=True))
    empty = tab.post("/provider/upload", data={"csrf_token": token})
    assert empty.status_code == 422 and 'id="upload-form"' in empty.get_data(as_text=True)
