"""The people and texts of a load run: varied learner profiles, vacancies and free texts.

Authored for the load test (not real persons): CVs and vacancy texts in the three languages our
users write, in the style of the hh.kz ads in ../shared/data, with tool names (Excel, 1С, Power
BI). Every learner gets a different profile: a CV family, a region, a programme, languages and
a distinct subset of its skills.
"""

from __future__ import annotations

import random
from typing import Any

from services.common.reference import PROGRAMMES, REGION_SLUGS
from services.jobs.employers.bin import random_bin

# AI-Sana, the largest programme, is drawn twice as often as each of the others.
PROGRAMME_DRAW = [*PROGRAMMES, "ai-sana"]
LANGS = [
    [{"code": "kk", "level": "native"}, {"code": "ru", "level": "C1"}],
    [{"code": "ru", "level": "native"}, {"code": "en", "level": "B1"}],
    [
        {"code": "kk", "level": "native"},
        {"code": "ru", "level": "B2"},
        {"code": "en", "level": "A2"},
    ],
    [{"code": "ru", "level": "native"}, {"code": "kk", "level": "B1"}],
]
#: (CV text, ESCO skill labels the person lists)
CV_FAMILIES: list[tuple[str, list[str]]] = [
    (
        "Аналитик данных: отчёты в Excel (сводные таблицы, ВПР), SQL-запросы к PostgreSQL, "
        "Python (pandas), дашборды в Power BI.",
        ["Python (computer programming)", "SQL", "use spreadsheets software", "data analytics"],
    ),
    (
        "Бухгалтер: 1С Бухгалтерия, налоговая отчётность, Excel, первичная документация.",
        ["use accounting systems", "prepare tax returns forms", "use spreadsheets software"],
    ),
    (
        "Junior web developer: JavaScript, HTML, CSS, React, Git, REST APIs.",
        ["JavaScript", "HTML", "CSS", "use software version control systems"],
    ),
    (
        "Python тілінде бағдарламалау, деректер қорымен жұмыс (PostgreSQL), "
        "машиналық оқыту негіздері.",
        ["Python (computer programming)", "PostgreSQL", "machine learning"],
    ),
    (
        "QA engineer: manual and automated testing, Python, Selenium, SQL, test plans.",
        ["Python (computer programming)", "SQL", "ICT testing", "Selenium"],
    ),
    (
        "Менеджер по продажам: холодные звонки, CRM Bitrix24, переговоры, работа с возражениями.",
        ["sell products", "customer relationship management", "negotiate sales contracts"],
    ),
    (
        "Бухгалтерлік есепті жүргізу, салық есептілігін тапсыру, 1С бағдарламасын білу.",
        ["use accounting systems", "accounting", "prepare tax returns forms"],
    ),
    (
        "Системный администратор: Windows Server, Linux, Active Directory, DNS, DHCP, сети.",
        ["administer ICT system", "Linux", "maintain ICT server"],
    ),
    (
        "SMM-менеджер: ведение Instagram и TikTok, контент-план, таргетированная реклама.",
        ["social media management", "online marketing", "create content"],
    ),
    (
        "Командада жұмыс істей білу, жауапкершілік, Excel және Power BI бағдарламаларында жұмыс.",
        ["work in teams", "use spreadsheets software", "business intelligence"],
    ),
    (
        "Project coordinator: Jira, Confluence, stakeholder updates, Agile ceremonies, English B2.",
        ["project management", "Agile project management", "manage stakeholders"],
    ),
    (
        "Оператор call-центра: консультирование клиентов, CRM, "
        "грамотная речь на казахском и русском.",
        ["customer service", "answer incoming calls", "speak different languages"],
    ),
]
VACANCIES: list[tuple[str, str, list[str]]] = [
    (
        "Аналитик данных",
        "Построение отчётов и дашбордов в Power BI, SQL-запросы, Excel (сводные таблицы).",
        ["SQL", "business intelligence", "use spreadsheets software"],
    ),
    (
        "Junior Python developer",
        "Backend on Python and PostgreSQL, REST APIs, Git, code review.",
        ["Python (computer programming)", "PostgreSQL", "use software version control systems"],
    ),
    (
        "Бухгалтер",
        "Ведение учёта в 1С:Предприятие, налоговая отчётность, работа с первичкой.",
        ["use accounting systems", "prepare tax returns forms"],
    ),
    (
        "Тестировщик ПО",
        "Ручное и автоматизированное тестирование, Selenium, SQL, тест-кейсы.",
        ["ICT testing", "SQL"],
    ),
]
#: Free texts for skill extraction and job titles for occupation matching (ru, kk, en).
EXTRACT_TEXTS = [
    "Опыт работы с Excel, Power BI, Tableau, статистика, A/B тесты, 1С, Docker, Git.",
    "Ағылшын тілін еркін меңгерген, Excel және Power BI бағдарламаларында жұмыс істей аламын.",
    "Serverless backends in Python and Go, PostgreSQL tuning, Kubernetes, CI/CD pipelines.",
    "Ведение первичной документации, сверка с контрагентами, 1С:Бухгалтерия 8.3.",
    "Клиенттерге кеңес беру, сату жоспарын орындау, CRM жүйесімен жұмыс.",
]
CITIES = ("astana", "almaty-city", "shymkent", "karaganda")
TITLES = ["Бухгалтер", "Аналитик данных", "Бағдарламашы", "QA engineer", "Менеджер по продажам"]


def learner_profile(rng: random.Random, i: int) -> dict[str, Any]:
    """Return learner ``i``'s profile: its own CV family, region, languages and skill subset."""
    cv, skills = CV_FAMILIES[i % len(CV_FAMILIES)]
    count = rng.randint(max(1, len(skills) - 2), len(skills))
    keep = sorted(rng.sample(range(len(skills)), k=count))
    return {
        "name": f"Load Learner {i}",
        "region": rng.choice(REGION_SLUGS),
        "programme": rng.choice(PROGRAMME_DRAW),
        "languages": rng.choice(LANGS),
        "cv_text": cv,
        "skills": [{"label": skills[k]} for k in keep],
        "consent": True,
    }


def employer_profile(rng: random.Random, i: int) -> dict[str, Any]:
    """Return employer ``i``'s profile with a valid BIN."""
    return {
        "name": f"Load Test Employer {i} LLP",
        "bin": random_bin(rng),
        "region": rng.choice(REGION_SLUGS),
        "sector": "Information technology",
    }


def vacancy_body(rng: random.Random, employer_id: str, k: int) -> dict[str, Any]:
    """Return the ``k``-th vacancy an employer posts before the run."""
    title, description, skills = VACANCIES[k % len(VACANCIES)]
    return {
        "employer_id": employer_id,
        "title": title,
        "description": description,
        "requirements": ", ".join(skills),
        "skills": [{"label": s, "essential": True} for s in skills],
        # The cities where most hh.kz vacancies are: a run never opens jobs in a quiet region.
        "region": rng.choice(CITIES),
        "salary_min": 300_000 + 50_000 * rng.randrange(6),
        "salary_max": 700_000 + 50_000 * rng.randrange(6),
        "positions": 1000,
    }
