"""Learner pages in kk/ru/en: plural rules, full catalogues, no English interface text on kk/ru."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from gateway.i18n import (
    LANGUAGES,
    message_ids,
    plural_category,
    plural_ids,
    translate,
    translate_plural,
)
from tests.gateway.learner_pages import content_words, text_of, visible_english
from tests.gateway.test_pages import web_login
from tests.gateway.world import (
    World,
)

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
    allowed |= content_words(browser, learner)
    allowed = {w.lower() for w in allowed}
    for path in ("/learner", "/learner/jobs", "/learner/courses", "/learner/goals",
                 "/learner/activity", f"/learner/vacancies/{world.vacancy['id']}",
                 f"/learner/path?vacancy_id={world.vacancy['id']}"):  # fmt: skip
        html = browser.get(f"{path}{'&' if '?' in path else '?'}lang={lang}").get_data(as_text=True)
        # Skill chips hold ESCO labels only (English until translated).
        text = text_of(re.sub(r'<ul class="chips[^"]*">.*?</ul>', " ", html, flags=re.S))
        body = text.split("Qabilet", 2)[-1]
        assert not visible_english(body, allowed), (path, visible_english(body, allowed)[:10])
