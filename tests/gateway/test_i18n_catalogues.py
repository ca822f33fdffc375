"""The gettext catalogues: complete in kk, ru and en, CLDR plurals, .mo equal to .po, on pages."""

from __future__ import annotations

import gettext
import json
import os
import re
import shutil
import string
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.support import Translations
from flask import Flask

from gateway import accounts
from gateway.app import create_app
from gateway.i18n import LANGUAGES, translate, translate_plural
from gateway.i18n.catalogues import (
    TRANSLATIONS_DIR,
    catalogue,
    compile_catalogues,
    po_path,
    read_catalogue,
    translations,
)
from gateway.transport import Upstream
from tests.gateway.conftest import close_gateway, gateway_settings
from tests.gateway.test_pages import csrf_of

# Proper names and technical terms that read the same in every language.
SAME_AS_ENGLISH = frozenset({"nav.api", "programme.ai-sana", "programme.tomorrow-school"})
FORMATTER = string.Formatter()


def _messages(lang: str) -> dict[str, Message]:
    return {_key(m): m for m in catalogue(lang) if m.id}


def _key(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)


def _forms(message: Message) -> list[str]:
    string_ = message.string
    return [str(s) for s in string_] if isinstance(string_, (tuple, list)) else [str(string_)]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in FORMATTER.parse(text) if name}


def _plural_function(lang: str) -> Callable[[int], int]:
    """Return the gettext form index of a number under the locale's CLDR Plural-Forms."""
    return gettext.c2py(get_plural(lang).plural_expr)


def _sample(lang: str, index: int) -> int:
    """Return a whole number whose gettext plural form in ``lang`` is ``index``."""
    plural = _plural_function(lang)
    return next(n for n in range(200) if plural(n) == index)


def test_every_key_has_text_in_all_three_catalogues() -> None:
    by_lang = {lang: _messages(lang) for lang in LANGUAGES}
    keys = set().union(*by_lang.values())
    assert len(keys) > 500
    for lang, messages in by_lang.items():
        assert sorted(keys - set(messages)) == [], lang
        for key, message in messages.items():
            assert all(f.strip() for f in _forms(message)), (lang, key)
            assert not message.fuzzy, (lang, key)  # a fuzzy entry is left out of the .mo


def test_kazakh_and_russian_differ_from_english_but_for_proper_names() -> None:
    english = _messages("en")
    for lang in ("kk", "ru"):
        same = {k for k, m in _messages(lang).items() if _forms(m) == _forms(english[k])}
        assert same <= SAME_AS_ENGLISH, (lang, sorted(same - SAME_AS_ENGLISH))


def test_placeholders_are_the_same_in_every_language() -> None:
    english = _messages("en")
    for lang in LANGUAGES:
        for key, message in _messages(lang).items():
            want = set().union(*(_fields(f) for f in _forms(english[key])))
            for form in _forms(message):
                # A plural form may leave out {n} (Russian "одна"), never add or rename one.
                got = _fields(form)
                assert got <= want and want - got <= {"n"}, (lang, key, form)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_entries_follow_the_locales_cldr_rule(lang: str) -> None:
    rule = get_plural(lang)
    cat = catalogue(lang)
    assert cat.num_plurals == rule.num_plurals == {"kk": 2, "ru": 3, "en": 2}[lang]
    assert cat.plural_expr == rule.plural_expr
    plurals = [m for m in cat if m.id and m.pluralizable]
    assert {_key(m) for m in plurals} >= {"path.whatif_n", "jobs.considered_n", "hours_n"}
    for message in plurals:
        assert len(_forms(message)) == rule.num_plurals, (lang, _key(message))
    # Each gettext form is the CLDR category it stands for (ru: one, few, many).
    categories = [Locale(lang).plural_form(_sample(lang, i)) for i in range(rule.num_plurals)]
    assert categories == {"ru": ["one", "few", "many"]}.get(lang, ["one", "other"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogue_answers_what_the_po_says(lang: str) -> None:
    compiled = translations(lang)
    for key, message in _messages(lang).items():
        forms = _forms(message)
        if message.pluralizable:
            for index, form in enumerate(forms):
                assert compiled.ngettext(key, key, _sample(lang, index)) == form, (key, index)
        else:
            assert compiled.gettext(key) == forms[0], key


def test_a_stale_mo_is_compiled_again(tmp_path: Path) -> None:
    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))
    assert {p.parent.parent.name for p in compile_catalogues(copy)} == set(LANGUAGES)
    assert compile_catalogues(copy) == []  # fresh: nothing to do
    po = po_path("ru", copy)
    po.write_text(po.read_text().replace('"Вакансии для меня"', '"Вакансии — для меня"'))
    mo = po.with_suffix(".mo")
    os.utime(mo, (po.stat().st_mtime - 10, po.stat().st_mtime - 10))
    assert compile_catalogues(copy) == [mo]
    with mo.open("rb") as source:
        assert Translations(source).gettext("nav.jobs") == "Вакансии — для меня"
    assert isinstance(read_catalogue(po, "ru"), Catalog)


# --- a page's plural through the Flask test client -----------------------------------------

LEARNER_ID = "learner-i18n"
HOURS = (1, 3, 5, 21)
JSON = {"Content-Type": "application/json"}


class Services:
    """The learner service and the matcher, as far as the courses page asks them."""

    def send(
        self, service: str, method: str, target: str, body: bytes | None, headers: Mapping[str, str]
    ) -> Upstream:
        if service == "matcher" and "/recommendations/courses" in target:
            items = [
                {"course_id": f"c{h}", "title": f"Course {h}", "hours": h, "matched_skills": []}
                for h in HOURS
            ]
            return Upstream(
                200, JSON, json.dumps({"target": {"label": "X"}, "items": items}).encode()
            )
        if service == "learner" and target == f"/learners/{LEARNER_ID}":
            return Upstream(200, JSON, json.dumps({"id": LEARNER_ID, "skills": []}).encode())
        return Upstream(404, {"Content-Type": "application/problem+json"}, b'{"status": 404}')


@pytest.fixture
def gateway_with_services(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(gateway_settings(tmp_path, None), transport=Services())
    with app.app_context():
        accounts.create(
            email="plural@example.kz",
            password="a-long-password-1",
            role="learner",
            method="pbkdf2:sha256:1000",
            learner_id=LEARNER_ID,
        )
    yield app
    close_gateway(app)


@pytest.mark.parametrize(
    ("lang", "shown"),
    [("ru", ["1 час", "3 часа", "5 часов", "21 час"]),
     ("kk", ["1 сағат", "3 сағат", "5 сағат", "21 сағат"]),
     ("en", ["1 hour", "3 hours", "5 hours", "21 hours"])],
)  # fmt: skip
def test_a_page_shows_the_catalogues_plural_forms(
    gateway_with_services: Flask, lang: str, shown: list[str]
) -> None:
    client = gateway_with_services.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    form = {"email": "plural@example.kz", "password": "a-long-password-1", "csrf_token": token}
    assert client.post("/login", data=form).status_code == 302
    page = client.get(f"/learner/courses?occupation_uri=urn:x&lang={lang}")
    assert page.status_code == 200
    badges = re.findall(r'class="badge">([^<]*)<', page.get_data(as_text=True))
    assert badges == [translate_plural(lang, "hours_n", n) for n in HOURS] == shown
    # The same words the catalogue holds for each number's form, not a hard-coded rule.
    forms = _forms(_messages(lang)["hours_n"])
    plural = _plural_function(lang)
    assert badges == [forms[plural(n)].format(n=n) for n in HOURS]
    assert translate(lang, "courses.title") in page.get_data(as_text=True)
