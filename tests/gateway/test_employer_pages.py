"""Employer pages through the Flask test client against the live services."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.pages import employer as employer_pages
from tests.gateway.test_pages import answer_for, csrf_of, web_login
from tests.gateway.world import API, World, ok, shown_name, valid_bin


@pytest.fixture
def made(gateway: Flask, world: World) -> Iterator[list[str]]:
    """Ids of vacancies a test posts; closed afterwards so learners' job lists stay the world's."""
    ids: list[str] = []
    yield ids
    for vacancy_id in ids:
        gateway.test_client().post(
            f"{API}/vacancies/{vacancy_id}/close", headers=world["employer"].headers
        )


def test_bad_bin_is_named_in_the_page_language(browser: FlaskClient) -> None:
    form = browser.get("/register?role=employer&lang=ru").get_data(as_text=True)
    good = valid_bin(uuid.uuid4().int % 10**11)
    wrong = good[:11] + str((int(good[11]) + 1) % 10)
    resp = browser.post(
        "/register?role=employer",
        data={"csrf_token": csrf_of(form), "role": "employer", "email": f"{uuid.uuid4().hex}@x.kz",
              "password": "long-enough-1", "name": "ТОО Тест", "bin": wrong, "region": "astana",
              "sector": "IT"},
    )  # fmt: skip
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "БИН: контрольная цифра не совпадает" in html
    for developer_text in ("Value error", "check digit", "profile.bin", "the body is not valid"):
        assert developer_text not in html


def _new_vacancy_form(browser: FlaskClient, world: World, lang: str = "en") -> dict[str, str]:
    web_login(browser, world["employer"].email)
    page = browser.get(f"/employer/vacancies/new?lang={lang}").get_data(as_text=True)
    return {
        "title": "Data platform engineer",
        "description": "We build data pipelines in Python and SQL.\nSecond line.",
        "requirements": "",
        "region": "astana",
        "employment_type": "full",
        "csrf_token": csrf_of(page),
    }


def _listed(html: str) -> list[str]:
    return re.findall(r'name="offered" value="([^"]+)"', html)


def test_preview_adds_a_searched_skill_and_drops_an_unticked_one(
    browser: FlaskClient, world: World, gateway: Flask, made: list[str]
) -> None:
    fields = _new_vacancy_form(browser, world)
    preview = browser.post("/employer/vacancies/new", data={**fields, "action": "preview"})
    html = preview.get_data(as_text=True)
    offered = _listed(html)
    ticked = re.findall(r'name="skill" value="([^"]+)" checked', html)
    assert offered and ticked
    wanted = world.skills[7]  # a taxonomy skill the text does not mention
    search = browser.post(
        "/employer/vacancies/new",
        data={**fields, "action": "search", "skill_q": wanted["label"], "offered": offered,
              "skill": ticked},
    )  # fmt: skip
    found = search.get_data(as_text=True)
    assert search.status_code == 200
    assert f'value="{wanted["uri"]}|{wanted["label"]}"' in found
    assert set(_listed(found)) == set(offered)  # the list and its ticks survive a search
    dropped = ticked[0]
    kept = ticked[1:]
    saved = browser.post(
        "/employer/vacancies/new",
        data={**fields, "action": "save", "offered": offered,
              "skill": [*kept, f"{wanted['uri']}|{wanted['label']}"],
              f"essential|{wanted['uri']}": "on"},
    )  # fmt: skip
    assert saved.status_code == 302, saved.get_data(as_text=True)[:800]
    vacancy_id = saved.headers["Location"].rsplit("/", 1)[-1]
    made.append(vacancy_id)
    vacancy = ok(
        gateway.test_client().get(
            f"{API}/vacancies/{vacancy_id}", headers=world["employer"].headers
        )
    )
    by_uri = {s["uri"]: s for s in vacancy["skills"]}
    assert by_uri[wanted["uri"]]["essential"] is True
    assert by_uri[wanted["uri"]]["source"] == "self"
    assert dropped.split("|", 1)[0] not in by_uri


def test_vacancy_page_shows_description_and_which_skills_are_essential(
    browser: FlaskClient, world: World, gateway: Flask, made: list[str]
) -> None:
    employer = world["employer"]
    body = {
        "employer_id": employer.employer_id,
        "title": "Аналитик BI",
        "description": "Строим отчёты для акимата.\nРаботаем в Power BI.",
        "region": "almaty-city",
        "skills": [
            {**world.skills[0], "essential": True},
            {**world.skills[1], "essential": False},
        ],
    }
    vacancy = ok(gateway.test_client().post(f"{API}/vacancies", headers=employer.headers,
                                            json=body), 201)  # fmt: skip
    made.append(vacancy["id"])
    web_login(browser, employer.email)
    html = browser.get(f"/employer/vacancies/{vacancy['id']}?lang=ru").get_data(as_text=True)
    assert "Строим отчёты для акимата." in html
    assert not re.search(r">[^<]*\b(?:vacancy|candidate|problem|hint|field)\.[a-z_]+", html)
    essential = html.split('class="essential-skills"')[1].split("</div>")[0]
    optional = html.split('class="optional-skills"')[1].split("</div>")[0]
    assert shown_name(browser, world.skills[0], "ru") in essential
    assert shown_name(browser, world.skills[1], "ru") in optional
    meta = re.search(r'class="meta vacancy-meta">(.*?)</p>', html, re.S).group(1)  # type: ignore[union-attr]
    assert "зарплата не указана" in meta and "· ·" not in meta and "Алматы" in meta


def test_employer_edits_a_vacancy(
    browser: FlaskClient, world: World, gateway: Flask, made: list[str]
) -> None:
    employer = world["employer"]
    body = {"employer_id": employer.employer_id, "title": "Support", "region": "astana",
            "skills": [{**world.skills[2], "essential": True}]}  # fmt: skip
    vacancy = ok(gateway.test_client().post(f"{API}/vacancies", headers=employer.headers,
                                            json=body), 201)  # fmt: skip
    made.append(vacancy["id"])
    web_login(browser, employer.email)
    form = browser.get(f"/employer/vacancies/{vacancy['id']}/edit?lang=kk")
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and 'value="Support"' in html
    offered = _listed(html)
    assert len(offered) == 1
    saved = browser.post(
        f"/employer/vacancies/{vacancy['id']}/edit",
        data={"csrf_token": csrf_of(html), "action": "save", "title": "Support engineer",
              "description": "Помогаем пользователям.", "region": "astana",
              "employment_type": "part", "salary_min": "300 000", "offered": offered,
              "skill": [f"{world.skills[2]['uri']}|{world.skills[2]['label']}"]},
    )  # fmt: skip
    assert saved.status_code == 302, saved.get_data(as_text=True)[:800]
    after = ok(gateway.test_client().get(f"{API}/vacancies/{vacancy['id']}",
                                         headers=employer.headers))  # fmt: skip
    assert (after["title"], after["employment_type"], after["salary_min"]) == (
        "Support engineer", "part", 300_000)  # fmt: skip
    assert after["skills"][0]["essential"] is False  # "essential" was unticked
    other = gateway.test_client()
    web_login(other, world["employer2"].email)
    assert other.get(f"/employer/vacancies/{vacancy['id']}/edit").status_code == 403


def _candidates(trainable: list[dict[str, object]]) -> dict[str, object]:
    return {"vacancy_id": "v", "candidates": [], "trainable": trainable}


def _trainable(**extra: object) -> dict[str, object]:
    return {
        "learner_id": "65a000000000000000abcdef",
        "region": "astana",
        "programme": "ai-sana",
        "score": {"total": 0.5, "similarity": 0.5, "coverage": 0.5},
        "matched_skills": [],
        "missing_skills": [{"uri": "u:x", "label": "Kubernetes", "essential": True}],
        "missing_essential": 1,
        **extra,
    }


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"courses": [{"course_id": "c1", "title": "Kubernetes basics", "provider": "edX",
                       "hours": 12.0, "hours_estimated": False, "covers": []}],
          "hours": 12.0, "uncoverable_skills": [], "gap_closable": True},
         "Курсы, чтобы закрыть пробел (всего 12 ч):"),
        ({"courses": [], "hours": 0.0, "gap_closable": False,
          "uncoverable_skills": [{"uri": "u:x", "label": "Kubernetes", "essential": True}]},
         "В каталоге пока нет курсов по недостающим навыкам."),
        ({"courses": [], "hours": 0.0, "uncoverable_skills": [], "gap_closable": True},
         "Курсы не нужны"),
    ],
)  # fmt: skip
def test_trainable_candidates_show_the_courses_or_say_why_there_are_none(
    browser: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch,
    extra: dict[str, object], expected: str,
) -> None:  # fmt: skip
    monkeypatch.setattr(
        employer_pages, "api", answer_for("/candidates", 200, _candidates([_trainable(**extra)]))
    )
    web_login(browser, world["employer"].email)
    html = browser.get(f"/employer/vacancies/{world.vacancy['id']}?lang=ru").get_data(as_text=True)
    card = html.split('class="card candidate trainable"')[1].split("</article>")[0]
    assert expected in card
    assert "(0 ч):" not in card
    assert "AI-Sana" in card and "ai-sana" not in card.replace("data-learner", "")
