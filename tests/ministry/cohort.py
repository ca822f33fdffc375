"""A hand-built retraining cohort, created through the learner service's HTTP API.

40 people; every count the reports should show is worked out by hand in the tests. Times are
fixed at noon UTC so that "N days after completion" is exactly N calendar days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from services.common.feed import FeedFollower
from services.learner.outcomes import service as outcomes
from services.learner.settings import ALIAS

NOW = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
COMPLETED = NOW - timedelta(days=400)
ENROLLED = COMPLETED - timedelta(days=30)
EARLY_ENROLLED = ENROLLED - timedelta(days=365)

# Days from completion to hire of the 22 people hired within 180 days (median 40: 35 and 45).
HIRE_DAYS = [3, 5, 8, 10, 12, 15, 20, 25, 28, 30]  # within 30
HIRE_DAYS += [35, 45, 55, 65, 75, 90]  # within 90
HIRE_DAYS += [100, 120, 140, 160, 170, 180]  # within 180
# Their salaries: 300,000 + 10,000 * i (median 405,000).
SALARIES = [300_000 + 10_000 * i for i in range(len(HIRE_DAYS))]


@dataclass
class Person:
    """One learner of the cohort and what happens to them."""

    programme: str
    region: str
    course: str
    completes: bool = True
    hire_day: int | None = None  # days after completion (negative: before)
    salary: int | None = None
    early: bool = False  # enrolled a year before the others
    also: str | None = None  # a second course, completed on the same day


@dataclass
class Cohort:
    """What was built: ids and personal data (to check the reports leak none of it)."""

    people: list[Person]
    learner_ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    application_ids: list[str] = field(default_factory=list)
    enrolment_ids: list[str] = field(default_factory=list)


def people() -> list[Person]:
    """Return the 40 people: ai-sana/astana 20, tomorrow-school/almaty-city 17, other/ulytau 3."""
    groups = [("ai-sana", "astana", "edx-1")] * 20
    groups += [("tomorrow-school", "almaty-city", "coursera-1")] * 17
    groups += [("other", "ulytau", "hub-1")] * 3
    out = [Person(programme=p, region=r, course=c) for p, r, c in groups]
    # 30 complete: everyone but 10 (six in astana, four in almaty-city).
    for i in [14, 15, 16, 17, 18, 19, 33, 34, 35, 36]:
        out[i].completes = False
    completers = [p for p in out if p.completes]
    # 22 hired within 180 days of completion: spread over the three groups.
    for person, day, salary in zip(completers, HIRE_DAYS, SALARIES, strict=False):
        person.hire_day, person.salary = day, salary
    rest = completers[len(HIRE_DAYS) :]
    rest[0].hire_day, rest[0].salary = 200, 900_000  # too late: not counted
    rest[1].hire_day, rest[1].salary = 230, 950_000  # too late: not counted
    rest[2].hire_day, rest[2].salary = -10, 100_000  # hired before completing: not counted
    out[14].hire_day, out[14].salary = 5, 700_000  # hired without completing: not counted
    # One person learns with two providers; still one person.
    out[0].also = "coursera-1"
    # Three people of astana enrolled a year earlier (for the period filter).
    for i in [1, 2, 3]:
        out[i].early = True
    return out


COURSES = {
    "edx-1": {"provider": "edX", "title": "Python for data analysis"},
    "coursera-1": {"provider": "Coursera", "title": "Machine learning basics"},
    "hub-1": {"provider": "Astana Hub", "title": "Web development bootcamp"},
}


def _ok(resp: Any, status: int = 201) -> dict[str, Any]:
    assert resp.status_code == status, resp.get_data(as_text=True)
    data: dict[str, Any] = resp.get_json()
    return data


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def build_cohort(client: FlaskClient, persons: list[Person] | None = None) -> Cohort:
    """Create courses, learners, enrolments, completions and hires (via the jobs feed)."""
    cohort = Cohort(people=persons or people())
    course_ids = {}
    for key, course in COURSES.items():
        body = {**course, "language": "ru", "hours": 40.0, "level": "beginner"}
        course_ids[key] = _ok(client.post("/courses", json=body))["id"]
    events: list[dict[str, Any]] = []
    for n, person in enumerate(cohort.people):
        name, email = f"Aigerim Testova{n}", f"aigerim.testova{n}@example.kz"
        learner = _ok(
            client.post(
                "/learners",
                json={
                    "name": name,
                    "email": email,
                    "region": person.region,
                    "programme": person.programme,
                },
            )
        )
        cohort.learner_ids.append(learner["id"])
        cohort.names.append(name)
        cohort.emails.append(email)
        enrolled = EARLY_ENROLLED if person.early else ENROLLED
        for course in [person.course, *([person.also] if person.also else [])]:
            enrolment = _ok(
                client.post(
                    "/enrolments",
                    json={
                        "learner_id": learner["id"],
                        "course_id": course_ids[course],
                        "enrolled_at": _iso(enrolled),
                    },
                )
            )
            cohort.enrolment_ids.append(enrolment["id"])
            if person.completes:
                _ok(
                    client.post(
                        f"/enrolments/{enrolment['id']}/complete",
                        json={"completed_at": _iso(COMPLETED)},
                    ),
                    200,
                )
        if person.hire_day is not None:
            application_id = f"{n:024x}"
            cohort.application_ids.append(application_id)
            events.append(
                {
                    "seq": len(events) + 1,
                    "type": "application.hired",
                    "id": application_id,
                    "at": _iso(NOW),
                    "data": {
                        "application_id": application_id,
                        "learner_id": learner["id"],
                        "employer_id": "e" * 24,
                        "employer_name": "Kaspi",
                        "vacancy_id": "f" * 24,
                        "vacancy_title": "Data analyst",
                        "region": person.region,
                        "salary": person.salary,
                        "hired_at": _iso(COMPLETED + timedelta(days=person.hire_day)),
                    },
                }
            )
    feed_hires(client, events)
    return cohort


def feed_hires(client: FlaskClient, events: list[dict[str, Any]]) -> None:
    """Hand ``application.hired`` events to the learner service's jobs-feed follower."""

    def fetch(after: int, limit: int) -> dict[str, Any]:
        page = [e for e in events if e["seq"] > after][:limit]
        return {"events": page, "next": page[-1]["seq"] if page else after, "latest": len(events)}

    with client.application.app_context():
        follower = FeedFollower(
            alias=ALIAS, name="jobs-test", fetch=fetch, handler=outcomes.handle_event
        )
        assert follower.sync_once() == len(events)
