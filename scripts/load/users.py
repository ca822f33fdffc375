"""The three kinds of user of a working day, against the gateway's public API.

Accounts are made before the run by ``accounts.py`` (admin API) and handed over in the JSON
file named by ``QABILET_LOAD_ACCOUNTS``: tokens, profile ids and the vacancies of the load-test
employers. Each simulated user takes one account round-robin (several users may share one, as
people share a desk). Expected refusals (applying twice: 409; moving an application another
employer user already moved: 409) count as successes: they are the API doing its job.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from typing import Any

from locust import FastHttpUser, between, task

API = "/api/v1"


def _load_accounts() -> dict[str, Any]:
    path = os.environ.get("QABILET_LOAD_ACCOUNTS")
    if not path:
        raise RuntimeError("QABILET_LOAD_ACCOUNTS is not set: run it with `make load`")
    with open(path, encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


ACCOUNTS = _load_accounts()
_turns = {role: itertools.count() for role in ("learner", "employer", "ministry")}
_lock = threading.Lock()


def take(role: str) -> dict[str, Any]:
    """Return the next account of ``role`` (round-robin)."""
    pool = ACCOUNTS[role]
    with _lock:
        return dict(pool[next(_turns[role]) % len(pool)])


class QabiletUser(FastHttpUser):
    """A signed-in user: every request carries the account's bearer token."""

    abstract = True
    role = ""
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.account = take(self.role)
        self.headers = {"Authorization": f"Bearer {self.account['token']}"}
        # "Signing in": the client checks who it is with its token (tokens come from setup so
        # the login rate limit is not what we measure).
        self.get(f"{API}/me", name=f"{API}/me")

    def get(self, path: str, name: str, ok: tuple[int, ...] = (200,), **params: Any) -> Any:
        """GET and return the JSON (None on an expected non-200)."""
        with self.client.get(
            path, params=params or None, headers=self.headers, name=name, catch_response=True
        ) as resp:
            if resp.status_code not in ok:
                resp.failure(f"{resp.status_code}: {resp.text[:200] if resp.text else ''}")
                return None
            resp.success()
            return resp.json() if resp.status_code == 200 else None

    def post(self, path: str, name: str, body: Any, ok: tuple[int, ...]) -> Any:
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
            ok=(200, 404, 409, 422),
            vacancy_id=random.choice(self.seen),
        )

    @task(2)
    def course_recommendations(self) -> None:
        params = {"vacancy_id": random.choice(self.seen)} if self.seen else {}
        self.get(
            f"{API}/learners/{self.lid}/recommendations/courses",
            name=f"{API}/learners/[id]/recommendations/courses",
            ok=(200, 404, 409, 422),
            **params,
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
    def apply(self) -> None:
        # Mostly to the load-test employers' vacancies, so employers have applicants to move.
        pool = ACCOUNTS.get("vacancies") or self.seen
        if not pool:
            return
        self.post(
            f"{API}/applications",
            name=f"{API}/applications (apply)",
            body={"vacancy_id": random.choice(pool), "cover_letter": "I would like to join."},
            ok=(201, 409),
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
        data = self.post(
            f"{API}/vacancies",
            name=f"{API}/vacancies (post)",
            body={
                "employer_id": self.eid,
                "title": random.choice(["Data analyst", "Python developer", "QA engineer"]),
                "description": "Analyse data with Python and SQL; build dashboards.",
                "requirements": "Python, SQL, statistics, English B1",
                "skills": [
                    {"label": "Python (computer programming)", "essential": True},
                    {"label": "SQL", "essential": True},
                    {"label": "data analysis", "essential": False},
                ],
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
            ok=(200, 404, 409),
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
            ok=(200, 409),
        )


class Ministry(QabiletUser):
    """Reads the reports."""

    weight = 3
    role = "ministry"
    wait_time = between(2, 5)

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
