"""The three kinds of user of a working day, against the gateway's public API.

Accounts are made before the run by ``accounts.py`` (admin API) and handed over in the JSON
file named by ``QABILET_LOAD_ACCOUNTS``: tokens, profile ids and the vacancies of the load-test
employers. Each simulated user takes an account of its own; when none is left it stops.

A response counts as a success only if it is the answer that step expects. The one refusal the
mix provokes on purpose (applying a second time to the same vacancy: 409) is its own step,
"applications (apply again, 409 expected)", and any other answer there is a failure.
``QABILET_LOAD_THINK="lo,hi"`` sets the think time in seconds (default 1,3; `make
load-capacity` uses shorter pauses, so fewer simulated users reach the same request rate).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from typing import Any

from locust import FastHttpUser, between, task
from locust.exception import StopUser

from scripts.load.profiles import EXTRACT_TEXTS, TITLES, VACANCIES

API = "/api/v1"


def _load_accounts() -> dict[str, Any]:
    path = os.environ.get("QABILET_LOAD_ACCOUNTS")
    if not path:
        raise RuntimeError("QABILET_LOAD_ACCOUNTS is not set: run it with `make load`")
    with open(path, encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _think() -> tuple[float, float]:
    low, _, high = os.environ.get("QABILET_LOAD_THINK", "1,3").partition(",")
    return float(low), float(high or low)


ACCOUNTS = _load_accounts()
THINK = _think()
_turns = {role: itertools.count() for role in ("learner", "employer", "ministry")}
_lock = threading.Lock()


def take(role: str) -> dict[str, Any]:
    """Return an account of ``role`` no other simulated user holds; stop the user if none."""
    pool = ACCOUNTS[role]
    with _lock:
        turn = next(_turns[role])
    if turn >= len(pool):
        raise StopUser(f"no {role} account left for this user ({len(pool)} made)")
    return dict(pool[turn])


class QabiletUser(FastHttpUser):
    """A signed-in user: every request carries the account's bearer token."""

    abstract = True
    role = ""
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.account = take(self.role)
        self.headers = {"Authorization": f"Bearer {self.account['token']}"}
        # "Signing in": the client checks who it is with its token (tokens come from setup so
        # the login rate limit is not what we measure).
        self.get(f"{API}/me", name=f"{API}/me")

    def get(self, path: str, name: str, ok: tuple[int, ...] = (200,), **params: Any) -> Any:
        """GET and return the JSON; any status outside ``ok`` is a failure."""
        with self.client.get(
            path, params=params or None, headers=self.headers, name=name, catch_response=True
        ) as resp:
            if resp.status_code not in ok:
                resp.failure(f"{resp.status_code}: {resp.text[:200] if resp.text else ''}")
                return None
            resp.success()
            return resp.json() if resp.status_code == 200 else None

    def post(self, path: str, name: str, body: Any, ok: tuple[int, ...] = (200,)) -> Any:
        """POST JSON and return the answer's JSON when it is a 2xx."""
        with self.client.post(
            path, json=body, headers=self.headers, name=name, catch_response=True
        ) as resp:
            if resp.status_code not in ok:
                resp.failure(f"{resp.status_code}: {resp.text[:200] if resp.text else ''}")
                return None
            resp.success()
            return resp.json() if 200 <= resp.status_code < 300 else None


class Learner(QabiletUser):
    """Browses recommendations, retraining paths and courses; applies now and then."""

    weight = 85
    role = "learner"

    def on_start(self) -> None:
        super().on_start()
        self.lid = self.account["learner_id"]
        self.seen: list[str] = list(ACCOUNTS.get("vacancies", []))
        # What this learner applied to before (an earlier run or capacity step used the same
        # account): its activity page says so, as it would tell a person.
        mine = self.get(f"{API}/applications", name=f"{API}/applications (learner)", limit=100)
        items = mine.get("items", []) if isinstance(mine, dict) else []
        self.applied: set[str] = {str(a["vacancy_id"]) for a in items if a.get("vacancy_id")}

    @task(5)
    def job_recommendations(self) -> None:
        data = self.get(
            f"{API}/learners/{self.lid}/recommendations/jobs",
            name=f"{API}/learners/[id]/recommendations/jobs",
            limit=10,
        )
        items = (data or {}).get("items", []) if isinstance(data, dict) else data or []
        for item in items[:5]:
            vacancy = item.get("vacancy", item) if isinstance(item, dict) else {}
            vid = vacancy.get("id") or item.get("vacancy_id")
            if vid and vid not in self.seen:
                self.seen.append(vid)

    @task(2)
    def retraining_path(self) -> None:
        if not self.seen:
            return
        self.get(
            f"{API}/learners/{self.lid}/retraining-path",
            name=f"{API}/learners/[id]/retraining-path",
            vacancy_id=random.choice(self.seen),
        )

    @task(2)
    def course_recommendations(self) -> None:
        if not self.seen:
            return
        self.get(
            f"{API}/learners/{self.lid}/recommendations/courses",
            name=f"{API}/learners/[id]/recommendations/courses",
            vacancy_id=random.choice(self.seen),
        )

    @task(3)
    def course_list(self) -> None:
        query = random.choice(["python", "data", "sql", "design", "management", ""])
        params: dict[str, Any] = {"limit": 20}
        if query:
            params["q"] = query
        self.get(f"{API}/courses", name=f"{API}/courses", **params)

    @task(2)
    def own_profile(self) -> None:
        self.get(f"{API}/learners/{self.lid}", name=f"{API}/learners/[id]")

    @task(1)
    def own_applications(self) -> None:
        self.get(f"{API}/applications", name=f"{API}/applications (learner)", limit=20)

    @task(1)
    def extract_skills(self) -> None:
        self.post(
            f"{API}/skills/extract",
            name=f"{API}/skills/extract",
            body={"text": random.choice(EXTRACT_TEXTS)},
        )

    @task(1)
    def match_occupation(self) -> None:
        self.post(
            f"{API}/occupations/match",
            name=f"{API}/occupations/match",
            body={"title": random.choice(TITLES), "top_k": 5},
        )

    @task(1)
    def apply(self) -> None:
        # To the load-test employers' vacancies, so employers have applicants to move. A
        # vacancy this learner already applied to is the one refusal provoked on purpose.
        pool = ACCOUNTS.get("vacancies") or []
        if not pool:
            return
        fresh = [v for v in pool if v not in self.applied]
        if fresh:
            vacancy = random.choice(fresh)
            made = self.post(
                f"{API}/applications",
                name=f"{API}/applications (apply)",
                body={"vacancy_id": vacancy, "cover_letter": "I would like to join."},
                ok=(201,),
            )
            if made is not None:
                self.applied.add(vacancy)
        if self.applied and random.random() < 0.2:
            self.post(
                f"{API}/applications",
                name=f"{API}/applications (apply again, 409 expected)",
                body={"vacancy_id": random.choice(sorted(self.applied))},
                ok=(409,),
            )


NEXT_STATUS = {"applied": "interview", "interview": "offer", "offer": "hired"}


class Employer(QabiletUser):
    """Posts vacancies, reads candidates and moves applications along."""

    weight = 12
    role = "employer"

    def on_start(self) -> None:
        super().on_start()
        self.eid = self.account["employer_id"]
        self.vacancies: list[str] = list(self.account.get("vacancies", []))

    @task(1)
    def post_vacancy(self) -> None:
        # As on the employer page: preview the skills the text names, then post with them.
        title, description, _ = random.choice(VACANCIES)
        preview = self.post(
            f"{API}/skills/extract",
            name=f"{API}/skills/extract (vacancy preview)",
            body={"text": f"{title}. {description}", "top_k": 8},
        )
        skills = [
            {"uri": item["uri"], "label": item["label"], "essential": i < 3}
            for i, item in enumerate((preview or {}).get("items", []))
        ] or [{"label": "SQL", "essential": True}]
        data = self.post(
            f"{API}/vacancies",
            name=f"{API}/vacancies (post)",
            body={
                "employer_id": self.eid,
                "title": title,
                "description": description,
                "skills": skills,
                "region": random.choice(["astana", "almaty-city", "shymkent", "karaganda"]),
                "salary_min": 400_000,
                "salary_max": 700_000,
                "languages": [{"code": "ru", "level": "B2"}],
            },
            ok=(201,),
        )
        if data and data.get("id"):
            self.vacancies.append(data["id"])

    @task(2)
    def own_vacancies(self) -> None:
        self.get(f"{API}/vacancies", name=f"{API}/vacancies (own)", employer_id=self.eid, limit=20)

    @task(3)
    def candidates(self) -> None:
        if not self.vacancies:
            return
        self.get(
            f"{API}/vacancies/{random.choice(self.vacancies)}/candidates",
            name=f"{API}/vacancies/[id]/candidates",
            limit=10,
        )

    @task(3)
    def move_applications(self) -> None:
        if not self.vacancies:
            return
        data = self.get(
            f"{API}/applications",
            name=f"{API}/applications (employer)",
            vacancy_id=random.choice(self.vacancies),
            limit=20,
        )
        open_ones = [a for a in (data or {}).get("items", []) if a.get("status") in NEXT_STATUS]
        if not open_ones:
            return
        application = random.choice(open_ones)
        target = NEXT_STATUS[application["status"]]
        body: dict[str, Any] = {"to": target}
        if target == "hired":
            body["salary"] = random.randrange(350_000, 800_000, 10_000)
        self.post(
            f"{API}/applications/{application['id']}/transition",
            name=f"{API}/applications/[id]/transition",
            body=body,
        )


class Ministry(QabiletUser):
    """Reads the reports."""

    weight = 3
    role = "ministry"
    wait_time = between(THINK[0] * 2, THINK[1] * 2)

    @task(3)
    def funnel(self) -> None:
        self.get(f"{API}/reports/funnel", name=f"{API}/reports/funnel")

    @task(2)
    def outcomes(self) -> None:
        self.get(f"{API}/reports/outcomes", name=f"{API}/reports/outcomes")

    @task(2)
    def providers(self) -> None:
        self.get(f"{API}/reports/providers", name=f"{API}/reports/providers")

    @task(2)
    def skills_gap(self) -> None:
        self.get(f"{API}/reports/skills-gap", name=f"{API}/reports/skills-gap", top=20)

    @task(1)
    def fairness(self) -> None:
        self.get(f"{API}/reports/fairness", name=f"{API}/reports/fairness", sample=50)
