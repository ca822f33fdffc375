"""The learner's pages through the Flask test client, against the live services (kk / ru / en)."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.i18n import (
    LANGUAGES,
    message_ids,
    plural_category,
    plural_ids,
    translate,
    translate_plural,
)
from tests.gateway.test_pages import csrf_of, web_login
from tests.gateway.world import (
    API,
    Actor,
    World,
    learner_profile,
    ok,
    register,
    shown_name,
    vacancy_body,
    wait_until,
)


@pytest.fixture
def browser(gateway: Flask) -> FlaskClient:
    return gateway.test_client()


def text_of(html: str) -> str:
    """Return the visible text of a page, whitespace collapsed."""
    no_tags = re.sub(
        r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    )
    return re.sub(r"\s+", " ", no_tags)


def new_learner(
    client: FlaskClient,
    world: World,
    *,
    region: str = "astana",
    languages: list[dict[str, str]] | None = None,
) -> Actor:
    """Register a learner holding the world's first three skills and wait for the matcher."""
    profile = {**learner_profile("Асель Жумабаева", world.skills[:3], consent=True)}
    profile["region"] = region
    if languages is not None:
        profile["languages"] = languages
    actor = register(client, "learner", f"l-{uuid.uuid4().hex[:8]}@example.kz", profile)

    def indexed() -> bool:
        resp = client.get(
            f"{API}/learners/{actor.learner_id}/recommendations/jobs", headers=actor.headers
        )
        return resp.status_code == 200

    wait_until(indexed, timeout=60)
    return actor


# --- i18n ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "form"),
    [(1, "one"), (21, "one"), (2, "few"), (4, "few"), (22, "few"), (5, "many"), (11, "many"),
     (12, "many"), (14, "many"), (0, "many"), (111, "many"), (101, "one")],
)  # fmt: skip
def test_russian_plural_categories_follow_cldr(n: int, form: str) -> None:
    assert plural_category("ru", n) == form


def test_what_if_sentence_agrees_with_its_number_in_each_language() -> None:
    key = "path.whatif_n"
    assert "ещё 1 вакансия " in translate_plural("ru", key, 1, total=3)
    assert "ещё 2 вакансии " in translate_plural("ru", key, 2, total=3)
    assert "ещё 5 вакансий " in translate_plural("ru", key, 5, total=9)
    assert "1 more vacancy opens" in translate_plural("en", key, 1, total=3)
    assert "5 more vacancies open" in translate_plural("en", key, 5, total=9)
    # Kazakh: the noun after a numeral stays singular.
    assert "тағы 5 бос орын ашылады" in translate_plural("kk", key, 5, total=9)


def test_every_message_has_text_in_all_three_languages() -> None:
    empty = [(k, lang) for k in message_ids() for lang in LANGUAGES if translate(lang, k) == k]
    assert not empty and len(message_ids()) > 500


def test_every_plural_message_covers_each_languages_categories() -> None:
    # One number of each category: en/kk one and other, ru one, few and many.
    samples = {"en": (1, 5), "kk": (1, 5), "ru": (1, 3, 5)}
    assert plural_ids() >= {"path.whatif_n", "jobs.considered_n", "hours_n"}
    for key in plural_ids():
        for lang in LANGUAGES:
            for n in samples[lang]:
                text = translate_plural(lang, key, n, total=0, share=0, after=0)
                assert str(n) in text and key not in text, (key, lang, n)


# --- vacancy page ----------------------------------------------------------------------------


def test_vacancy_page_shows_description_employer_salary_skills_and_my_match(
    browser: FlaskClient, world: World
) -> None:
    vacancy = world.vacancy
    web_login(browser, world["learner3"].email)
    resp = browser.get(f"/learner/vacancies/{vacancy['id']}?lang=ru")
    html = resp.get_data(as_text=True)
    text = text_of(html)
    assert resp.status_code == 200
    assert vacancy["description"] in text
    assert "DataSoft LLP" in text  # the employer's name, not its id
    assert "450 000 ₸ – 700 000 ₸" in text
    assert "Обязательные навыки" in text and "Вам не хватает" in text
    match = html.split('class="card match"')[1].split("</section>")[0]
    have, miss = match.split("Вам не хватает")
    assert shown_name(browser, world.skills[0], "ru") in have
    assert shown_name(browser, world.skills[4], "ru") in miss
    # An apply button, or (when an earlier journey applied already) when and how it went.
    assert "Откликнуться" in text or re.search(
        r"Вы откликнулись \d{1,2} [а-я]+\.? \d{4}",
        text,  # the date as Russian writes it
    )


def test_vacancy_without_a_salary_says_so_instead_of_a_blank(
    browser: FlaskClient, world: World, gateway: Flask
) -> None:
    body = {**vacancy_body("Junior tester", world.skills[:2]), "salary_min": None}
    body["salary_max"] = None
    client = gateway.test_client()
    created = ok(client.post(f"{API}/vacancies", headers=world["employer"].headers, json=body), 201)
    web_login(browser, world["learner3"].email)
    for lang, words in (("ru", "зарплата не указана"), ("kk", "жалақы көрсетілмеген")):
        page = browser.get(f"/learner/vacancies/{created['id']}?lang={lang}")
        assert words in text_of(page.get_data(as_text=True))


def test_vacancy_page_compares_the_languages_asked_with_the_learners_levels(
    browser: FlaskClient, world: World, gateway: Flask
) -> None:
    # learner3 has Kazakh (native) and Russian (C1) on the profile, and no English.
    body = vacancy_body("Analyst, three languages", world.skills[:2])
    body["languages"] = [
        {"code": "kk", "level": "B2"},
        {"code": "ru", "level": "C2"},
        {"code": "en", "level": "B1"},
    ]
    client = gateway.test_client()
    created = ok(client.post(f"{API}/vacancies", headers=world["employer"].headers, json=body), 201)
    try:
        web_login(browser, world["learner3"].email)
        html = browser.get(f"/learner/vacancies/{created['id']}?lang=ru").get_data(as_text=True)
        found = re.findall(r'<li class="(ok|gap)" data-language="(\w+)">', html)
        rows = {code: verdict for verdict, code in found}
        assert rows == {"kk": "ok", "ru": "gap", "en": "gap"}
        text = text_of(html)
        assert "Казахский — B2 выше среднего: у вас родной (соответствует)" in text
        assert "Русский — C2 в совершенстве: у вас C1 продвинутый (ниже требуемого)" in text
        assert "Английский — B1 средний: нет в вашем профиле (ниже требуемого)" in text

        # The jobs list says the same on the vacancy's card (the matcher packs the levels).
        def card() -> str:
            page = browser.get("/learner/jobs?lang=ru&region=all").get_data(as_text=True)
            parts = page.split(f'data-vacancy="{created["id"]}"')
            return parts[1].split("</article>")[0] if len(parts) > 1 else ""

        shown = wait_until(card, timeout=60)
        unmet = re.findall(r'<p class="language-unmet gap" data-language="(\w+)">', shown)
        assert unmet == ["ru", "en"]
        assert "Язык: Английский, требуется B1 средний" in text_of(shown)
    finally:
        client.post(f"{API}/vacancies/{created['id']}/close", headers=world["employer"].headers)


def test_unknown_vacancy_is_a_page_in_the_pages_language(
    browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["learner3"].email)
    resp = browser.get("/learner/vacancies/ffffffffffffffffffffffff?lang=ru")
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    assert '"detail":' not in resp.get_data(as_text=True)


# --- jobs ------------------------------------------------------------------------------------


def test_jobs_link_to_the_vacancy_page_and_name_the_employer(
    browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["learner3"].email)
    html = browser.get("/learner/jobs?lang=en").get_data(as_text=True)
    assert f'href="/learner/vacancies/{world.vacancy["id"]}"' in html
    card = html.split(f'data-vacancy="{world.vacancy["id"]}"')[1].split("</article>")[0]
    assert "DataSoft LLP" in card


def test_learner_far_from_every_vacancy_is_told_and_shown_other_regions(
    browser: FlaskClient, world: World
) -> None:
    learner = new_learner(browser, world, region="turkistan")
    web_login(browser, learner.email)
    text = text_of(browser.get("/learner/jobs?lang=ru").get_data(as_text=True))
    assert "В регионе «Туркестанская область» пока нет открытых вакансий" in text
    assert world.vacancy["title"] in text
    chosen = text_of(browser.get("/learner/jobs?region=all&lang=ru").get_data(as_text=True))
    assert "пока нет открытых вакансий" not in chosen and world.vacancy["title"] in chosen


def test_jobs_in_the_home_region_are_preselected(browser: FlaskClient, world: World) -> None:
    web_login(browser, world["learner3"].email)
    html = browser.get("/learner/jobs?lang=en").get_data(as_text=True)
    assert '<option value="astana" selected>' in html
    assert "no open vacancies in" not in html


# --- profile ---------------------------------------------------------------------------------


def test_skills_show_in_the_pages_language_where_the_vocabulary_names_them(
    browser: FlaskClient, world: World, gateway: Flask
) -> None:
    client = gateway.test_client()
    names = {
        lang: ok(client.get(f"{API}/labels", query_string={"lang": lang}))["labels"]
        for lang in ("ru", "kk")
    }
    listed = ok(client.get(f"{API}/skills", query_string={"limit": 100}))["items"]
    # A skill of the suite's ESCO that the vocabulary names in both languages.
    skill = next(s for s in listed if s["uri"] in names["ru"] and s["uri"] in names["kk"])
    chosen = {"uri": skill["uri"], "label": skill["label"]}
    profile = learner_profile("Гульнар Ахметова", [chosen], consent=True)
    actor = register(client, "learner", f"l-{uuid.uuid4().hex[:8]}@example.kz", profile)
    web_login(browser, actor.email)
    for lang in ("ru", "kk"):
        html = browser.get(f"/learner?lang={lang}").get_data(as_text=True)
        assert f"<strong>{names[lang][skill['uri']]}</strong>" in html, lang
    english = browser.get("/learner?lang=en").get_data(as_text=True)
    assert f"<strong>{skill['label']}</strong>" in english


def test_region_programme_and_languages_can_be_edited(browser: FlaskClient, world: World) -> None:
    learner = new_learner(browser, world)
    web_login(browser, learner.email)
    token = csrf_of(browser.get("/learner").get_data(as_text=True))
    form = {
        "csrf_token": token,
        "region": "almaty",
        "programme": "tomorrow-school",
        "lang_code_0": "kk",
        "lang_level_0": "native",
        "lang_code_1": "en",
        "lang_level_1": "B2",
        "cv_text": "Python, SQL.",
        "consent": "on",
    }
    assert browser.post("/learner/profile", data=form).status_code == 302
    stored = ok(browser.get(f"{API}/learners/{learner.learner_id}", headers=learner.headers))
    assert (stored["region"], stored["programme"]) == ("almaty", "tomorrow-school")
    assert stored["languages"] == [
        {"code": "kk", "level": "native"},
        {"code": "en", "level": "B2"},
    ]
    html = browser.get("/learner?lang=ru").get_data(as_text=True)
    meta = text_of(html.split('<p class="meta">')[1].split("</p>")[0])
    assert "Алматинская область" in meta and "Английский (B2 выше среднего)" in meta


def test_too_long_cv_shows_the_form_again_in_russian_with_the_text_kept(
    browser: FlaskClient, world: World
) -> None:
    learner = new_learner(browser, world)
    web_login(browser, learner.email)
    token = csrf_of(browser.get("/learner?lang=ru").get_data(as_text=True))
    cv = "Опыт работы с Python и SQL. " * 2500  # ~69,000 characters
    resp = browser.post(
        "/learner/profile",
        data={"csrf_token": token, "region": "astana", "programme": "ai-sana", "cv_text": cv},
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and resp.mimetype == "text/html"
    assert "Ничего не сохранено" in html and "не длиннее 20000 символов" in html
    assert cv.strip() in html  # what was typed is still in the textarea
    assert "String should have" not in html and '"detail":' not in html


def test_a_missed_skill_is_found_by_name_and_added(browser: FlaskClient, world: World) -> None:
    learner = new_learner(browser, world)
    skill = world.skills[6]
    web_login(browser, learner.email)
    found = browser.get(f"/learner?skill_q={skill['label'][:12]}&lang=en").get_data(as_text=True)
    assert skill["label"] in found.split('class="found skills-found"')[1]
    resp = browser.post(
        "/learner/skills/add",
        data={"csrf_token": csrf_of(found), "uri": skill["uri"], "label": skill["label"]},
    )
    assert resp.status_code == 302
    stored = ok(browser.get(f"{API}/learners/{learner.learner_id}", headers=learner.headers))
    assert any(s["uri"] == skill["uri"] and s["source"] == "self" for s in stored["skills"])


def test_a_rejected_skill_can_be_restored(browser: FlaskClient, world: World) -> None:
    learner = new_learner(browser, world)
    skill = world.skills[0]
    web_login(browser, learner.email)
    page = browser.get("/learner?lang=en").get_data(as_text=True)
    browser.post(
        "/learner/skills/reject",
        data={"csrf_token": csrf_of(page), "uri": skill["uri"], "label": skill["label"]},
    )
    rejected = browser.get("/learner?lang=en").get_data(as_text=True)
    assert "Skills I rejected" in rejected and "Undo" in rejected
    browser.post(
        "/learner/skills/add",
        data={
            "csrf_token": csrf_of(rejected),
            "uri": skill["uri"],
            "label": skill["label"],
            "undo": "1",
        },
    )
    stored = ok(browser.get(f"{API}/learners/{learner.learner_id}", headers=learner.headers))
    assert skill["uri"] not in stored["rejected_skills"]
    assert any(s["uri"] == skill["uri"] for s in stored["skills"])


# --- goals, courses, path --------------------------------------------------------------------


def test_an_occupation_is_found_by_name_chosen_as_a_goal_and_its_path_opens(
    browser: FlaskClient, world: World, gateway: Flask
) -> None:
    occupation = ok(gateway.test_client().get(f"{API}/occupations", query_string={"limit": 1}))
    occ = occupation["items"][0]
    learner = new_learner(browser, world)
    web_login(browser, learner.email)
    page = browser.get(f"/learner/goals?q={occ['label']}&lang=kk").get_data(as_text=True)
    assert occ["label"] in page and "Мақсаттарға қосу" in page
    resp = browser.post(
        "/learner/goals",
        data={"csrf_token": csrf_of(page), "uri": occ["uri"], "label": occ["label"]},
    )
    assert resp.status_code == 302
    stored = ok(browser.get(f"{API}/learners/{learner.learner_id}", headers=learner.headers))
    assert [o["uri"] for o in stored["desired_occupations"]] == [occ["uri"]]
    path = browser.get(f"/learner/path?occupation_uri={occ['uri']}&lang=kk")
    assert path.status_code == 200 and occ["label"] in path.get_data(as_text=True)


def test_path_without_a_target_leads_to_the_occupation_picker(
    browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["learner3"].email)
    resp = browser.get("/learner/path")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/learner/goals")


def test_courses_without_a_target_come_from_the_gaps_of_the_best_jobs(
    browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["learner3"].email)
    html = browser.get("/learner/courses?lang=ru").get_data(as_text=True)
    text = text_of(html)
    assert world.course["title"] in text
    assert "Подобраны по навыкам, которых вам не хватает" in text
    # Each course names the jobs it helps for: the world's vacancy, or the copies with the same
    # skills that the invitation tests post under the same title plus a unique suffix.
    helps = re.findall(r'<p class="reason">Помогает для: ([^<]*)</p>', html)
    title = world.vacancy["title"]
    named = [t for line in helps for t in line.split(", ")]
    assert any(t == title or t.startswith(f"{title}-") for t in named), helps
    assert "36 часов" in text


def test_courses_page_names_the_languages_read_and_those_below_b1(
    browser: FlaskClient, world: World
) -> None:
    langs = [{"code": "kk", "level": "native"}, {"code": "en", "level": "A2"}]
    actor = new_learner(browser, world, languages=langs)
    web_login(browser, actor.email)
    html = browser.get("/learner/courses?lang=ru").get_data(as_text=True)
    text = text_of(html)
    assert "Курсы на языках, которые вы читаете: Казахский." in text
    assert "Не учтены (в профиле ниже B1): Английский" in text
    toggle = re.search(r'<p class="languages" id="reading-rule">.*?<a href="([^"]+)"', html, re.S)
    assert toggle is not None and "any_language=1" in toggle.group(1)
    every = text_of(browser.get(toggle.group(1).replace("&amp;", "&")).get_data(as_text=True))
    assert "Курсы на всех языках" in every and "Только курсы на моих языках" in every


def test_path_is_the_same_between_visits_and_speaks_the_pages_language(
    browser: FlaskClient, world: World
) -> None:
    web_login(browser, world["learner3"].email)
    url = f"/learner/path?vacancy_id={world.vacancy['id']}&lang=ru"
    first, second = (text_of(browser.get(url).get_data(as_text=True)) for _ in range(2))
    hours = re.findall(r"всего (\d+) ч", first)
    assert hours and hours == re.findall(r"всего (\d+) ч", second)
    assert "Вакансия доступна, если у вас есть не менее 80%" in first
    assert "an open vacancy is within reach" not in first
    assert re.search(r"Что если: откро\w+ ещё \d+ ваканси\w+", first)


# --- activity --------------------------------------------------------------------------------


def test_activity_rows_show_employer_dates_and_status(browser: FlaskClient, world: World) -> None:
    web_login(browser, world["learner"].email)
    html = browser.get("/learner/activity?lang=ru").get_data(as_text=True)
    row = html.split(f'data-application="{world.application["id"]}"')[1].split("</tr>")[0]
    assert "DataSoft LLP" in row and world.vacancy["title"] in row
    assert re.search(r"\d{4}-\d{2}-\d{2}", row) and "status-" in row


def _content_words(client: FlaskClient, learner: Actor) -> set[str]:
    """Return the words of user content and ESCO labels the pages may show (not interface)."""
    texts: list[str] = []
    stored = ok(client.get(f"{API}/learners/{learner.learner_id}", headers=learner.headers))
    texts += [s["label"] for s in stored["skills"]] + [stored["cv_text"] or ""]
    sources = [
        ("/vacancies", ("title", "description")),
        ("/courses", ("title", "provider")),
        ("/employers", ("name",)),
    ]
    for path, fields in sources:
        page = ok(client.get(f"{API}{path}?limit=100", headers=learner.headers))
        for item in page["items"]:
            texts += [str(item.get(f) or "") for f in fields]
            texts += [s["label"] for s in item.get("skills") or []]
    return {w for t in texts for w in re.findall(r"[A-Za-z]+", t)}


def _visible_english(text: str, allowed: set[str]) -> list[str]:
    words = re.findall(r"\b[A-Za-z]{4,}\b", text)
    return [w for w in words if w.lower() not in allowed]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_learner_pages_show_no_english_interface_text(
    browser: FlaskClient, world: World, lang: str
) -> None:
    web_login(browser, world["learner3"].email)
    # Proper names, ESCO labels and user content are allowed; interface words are not.
    allowed = {"Qabilet", "Tomorrow", "School", "Sana", "DataSoft", "Steppe", "Cloud", "Astana",
               "Saule", "Nurlanova", "saule", "example", "Data", "engineer", "engineering",
               "basics", "Python", "pipelines", "build", "data", "SQL"}  # fmt: skip
    allowed |= {w for s in world.skills for w in re.findall(r"[A-Za-z]+", s["label"])}
    allowed |= set(re.findall(r"[A-Za-z]+", world.vacancy["description"]))
    learner = world["learner3"]
    allowed |= _content_words(browser, learner)
    allowed = {w.lower() for w in allowed}
    for path in ("/learner", "/learner/jobs", "/learner/courses", "/learner/goals",
                 "/learner/activity", f"/learner/vacancies/{world.vacancy['id']}",
                 f"/learner/path?vacancy_id={world.vacancy['id']}"):  # fmt: skip
        html = browser.get(f"{path}{'&' if '?' in path else '?'}lang={lang}").get_data(as_text=True)
        # Skill chips hold ESCO labels only (English until translated).
        text = text_of(re.sub(r'<ul class="chips[^"]*">.*?</ul>', " ", html, flags=re.S))
        body = text.split("Qabilet", 2)[-1]
        assert not _visible_english(body, allowed), (path, _visible_english(body, allowed)[:10])


def test_path_shows_a_prerequisite_first_and_why_it_is_there(
    browser: FlaskClient, world: World, gateway: Flask
) -> None:
    client = gateway.test_client()
    admin, skill = world["admin"].headers, world.skills[7]
    course = {"provider": "Astana Hub", "language": "ru", "level": "beginner", "hours": 1}
    basics = ok(
        client.post(f"{API}/courses", headers=admin, json={**course, "title": "Облако: основы"}),
        201,
    )
    advanced = {
        **course,
        "title": "Облако: продвинутый курс",
        "level": "advanced",
        "prerequisites": [basics["id"]],
        "skills": [{"uri": skill["uri"], "label": skill["label"]}],
    }
    ok(client.post(f"{API}/courses", headers=admin, json=advanced), 201)
    body = vacancy_body("Cloud operator", [skill])
    vacancy = ok(client.post(f"{API}/vacancies", headers=world["employer"].headers, json=body), 201)
    web_login(browser, world["learner3"].email)
    url = f"/learner/path?vacancy_id={vacancy['id']}&lang=ru"

    def planned() -> str:
        html = browser.get(url).get_data(as_text=True)
        return html if "Облако: продвинутый курс" in html else ""

    html = wait_until(planned, timeout=60)
    text = text_of(html)
    assert text.index("Облако: основы") < text.index("Облако: продвинутый курс")
    assert "Нужен перед курсом: Облако: продвинутый курс" in text
    assert "После курса: Облако: основы" in text
    assert "всего 2 ч" in text
