"""The demo's training providers: AI-Sana, Tomorrow School and a university, with their courses.

Each publishes a few state-funded courses of its own (keyed by ``external_id``, so seeding twice
adds nothing), and the demo enrols each programme's learners on its provider's courses: their
completions are reported by that provider's account (``reported_by``), so the ministry's
outcome figures rest on provider-reported records. The accounts live in the gateway;
``scripts/seed_providers.py`` creates them and hands their ids to the demo (``--reporters``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..courses import service as courses
from ..courses.schemas import CourseCreate


@dataclass(frozen=True)
class DemoCourse:
    """One course a demo provider publishes."""

    key: str  # the provider's external id
    title: str
    language: str
    hours: float
    level: str
    skills: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class DemoProvider:
    """A training provider of the demo: its name, account email, programme and courses."""

    name: str
    email: str
    programme: str  # whose learners take its courses ("other": everyone else)
    courses: tuple[DemoCourse, ...]


# The university is one of the catalogue's institutions (University of Michigan teaches 139 of
# the Coursera courses); here it publishes blended courses under its own name.
PROVIDERS: tuple[DemoProvider, ...] = (
    DemoProvider(
        "AI-Sana",
        "courses@ai-sana.kz",
        "ai-sana",
        (
            DemoCourse("ais-py", "Python для анализа данных", "ru", 72, "beginner",
                       ("Python (computer programming)", "SQL", "data analytics"),
                       "Pandas, SQL and charts on open Kazakh data, with mentors."),
            DemoCourse("ais-ml", "Машинное обучение: основы", "ru", 96, "intermediate",
                       ("machine learning", "statistics", "Python (computer programming)"),
                       "Models from regression to gradient boosting, on real cases."),
            DemoCourse("ais-bi", "Деректерді визуализациялау", "kk", 40, "beginner",
                       ("data visualisation", "business intelligence"),
                       "Dashboards in BI tools for public-sector reporting."),
        ),
    ),
    DemoProvider(
        "Tomorrow School",
        "courses@tomorrow-school.kz",
        "tomorrow-school",
        (
            DemoCourse("ts-web", "Веб-разработка на JavaScript", "ru", 100, "beginner",
                       ("JavaScript", "HTML", "web programming"),
                       "Peer-to-peer projects: from a static page to a web app."),
            DemoCourse("ts-go", "Backend-разработка на Go", "ru", 120, "intermediate",
                       ("Go", "SQL", "develop software"),
                       "Services, databases and tests in Go, project by project."),
            DemoCourse("ts-algo", "Алгоритмдер және деректер құрылымы", "kk", 60, "beginner",
                       ("algorithms", "computer programming"),
                       "Sorting, graphs and complexity, with daily exercises."),
        ),
    ),
    DemoProvider(
        "University of Michigan",
        "courses@umich.example.edu",
        "other",
        (
            DemoCourse("um-ds", "Applied data science with Python", "en", 80, "intermediate",
                       ("Python (computer programming)", "data analytics", "statistics"),
                       "Blended cohort: online lectures, local study groups."),
            DemoCourse("um-sql", "Introduction to databases and SQL", "en", 36, "beginner",
                       ("SQL", "database management systems"),
                       "Relational design and SQL queries, with weekly labs."),
            DemoCourse("um-pm", "Project management essentials", "ru", 30, "beginner",
                       ("project management", "teamwork principles"),
                       "Planning, risk and teams for first-time project leads."),
        ),
    ),
)  # fmt: skip


@dataclass
class Offer:
    """What the demo needs of the providers' courses: by programme, and who reports each."""

    by_programme: dict[str, list[tuple[str, float]]]
    reporter_of: dict[str, str | None]  # course id -> reported_by of its completions


def publish(reporters: dict[str, str]) -> Offer:
    """Create (or keep) every demo provider's courses; ``reporters``: name -> ``reported_by``."""
    offer = Offer({}, {})
    for provider in PROVIDERS:
        for item in provider.courses:
            body = CourseCreate.model_validate(
                {
                    "provider": provider.name,
                    "title": item.title,
                    "description": item.description,
                    "institution": provider.name,
                    "language": item.language,
                    "hours": item.hours,
                    "level": item.level,
                    "price_kzt": 0,
                    "state_funded": True,
                    "skills": [{"label": label} for label in item.skills],
                    "external_id": f"demo-{item.key}",
                }
            )
            course, _ = courses.upsert(body=body)
            offer.by_programme.setdefault(provider.programme, []).append(
                (str(course.id), item.hours)
            )
            offer.reporter_of[str(course.id)] = reporters.get(provider.name)
    return offer
