"""`make bench-reads`: p50/p95 of the everyday reads on the embedded store, before vs after.

Builds stores from the real data: the edX + Coursera catalogues (1x: 3,735 courses; 10x: the
same duplicated under new ids and titles), the 1,000 hh.kz vacancies, generated learners and
100k generated enrolments (with hires). Then, for each size, starts the learner and jobs
services under gunicorn (2 workers each, free 127.0.0.1 ports, stopped by pid) once with the
plain store queries (``QABILET_READ_MODELS=0``, "before") and once with the read models
("after"), and times GET /courses (filters, paging), GET /learners/<id>, GET /vacancies
(filters) and the ministry reports, one request at a time after a warm-up; then each report right
after a new enrolment ("after a write": the report has to count it).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bson import ObjectId

from services.common.db import close_db, database, init_db
from services.common.launch.live import call, live_suite
from services.common.launch.suite import ROOT

COURSE_QUERIES = [
    "/courses",
    "/courses?offset=1000&limit=20",
    "/courses?provider=edX&level=beginner",
    "/courses?language=en&free=true&limit=50",
    "/courses?q=python",
    "/courses?skill=Python&max_hours=40",
]
VACANCY_QUERIES = [
    "/vacancies",
    "/vacancies?status=open&region=astana",
    "/vacancies?q=%D0%BC%D0%B5%D0%BD%D0%B5%D0%B4%D0%B6%D0%B5%D1%80&salary_min=300000",
    "/vacancies?sort=-salary_max&offset=100",
]
REPORTS = [
    "/reports/funnel",
    "/reports/outcomes",
    "/reports/providers",
    "/reports/funnel?from=2025-06-01&to=2025-12-31&programme=ai-sana",
]


def _env(data_dir: Path, shared: Path) -> None:
    os.environ["QABILET_DATA_DIR"] = str(data_dir)
    os.environ["QABILET_SHARED_DATA"] = str(shared)


def build_base(data_dir: Path, shared: Path, learners: int, enrolments: int) -> None:
    """Import the real catalogues and vacancies, generate learners, enrolments and hires."""
    _env(data_dir, shared)
    from services.jobs.settings import ALIAS as JOBS
    from services.jobs.settings import Settings as JobsSettings
    from services.jobs.vacancies.importers import import_hh_vacancies
    from services.learner.courses.importers import import_courses
    from services.learner.demo import service as demo
    from services.learner.settings import ALIAS as LEARNER
    from services.learner.settings import Settings as LearnerSettings

    init_db(JobsSettings.from_env(), JOBS)
    import_hh_vacancies(shared / "jobs" / "hhkz_astana_1000_vacancies.csv", progress=False)
    close_db(JOBS)
    init_db(LearnerSettings.from_env(), LEARNER)
    print(import_courses(shared / "courses", progress=False).render(), flush=True)
    print(demo.generate(learners, progress=False).render(), flush=True)
    db = database(LEARNER)
    people = [(d["_id"], d["region"], d["programme"]) for d in db["learners"].find({})]
    courses = [d["_id"] for d in db["courses"].find({}, {"_id": 1})]
    rng = random.Random(7)
    now = datetime.now(UTC)
    rows, hires = [], []
    for _ in range(enrolments):
        learner, region, programme = rng.choice(people)
        enrolled = now - timedelta(days=rng.uniform(30, 720))
        status = rng.choices(["completed", "dropped", "enrolled"], [5, 2, 3])[0]
        completed = (
            enrolled + timedelta(days=rng.uniform(7, 120)) if status == "completed" else None
        )
        rows.append(
            {
                "learner_id": str(learner),
                "course_id": str(rng.choice(courses)),
                "status": status,
                "enrolled_at": enrolled,
                "completed_at": completed,
                "dropped_at": enrolled + timedelta(days=20) if status == "dropped" else None,
                "grade": None,
                "region": region,
                "programme": programme,
                "anonymised": False,
            }
        )
        if completed is not None and rng.random() < 0.3:
            hires.append(
                {
                    "application_id": str(ObjectId()),
                    "learner_id": str(learner),
                    "hired_at": completed + timedelta(days=rng.uniform(1, 200)),
                    "salary": rng.choice([None, 250_000, 400_000, 600_000]),
                    "programme": programme,
                    "learner_region": region,
                    "anonymised": False,
                    "recorded_at": now,
                }
            )
    started = time.perf_counter()
    for i in range(0, len(rows), 5000):
        db["enrolments"].insert_many(rows[i : i + 5000])
    if hires:
        db["outcomes"].insert_many(hires)
    print(
        f"bulk-loaded {len(rows)} enrolments and {len(hires)} hires in "
        f"{time.perf_counter() - started:.0f} s (no feed events: the services start after)",
        flush=True,
    )
    close_db(LEARNER)


def grow_courses(data_dir: Path, shared: Path, times: int) -> int:
    """Add ``times - 1`` copies of every course under new ids, titles and external ids."""
    _env(data_dir, shared)
    from services.learner.settings import ALIAS as LEARNER
    from services.learner.settings import Settings as LearnerSettings

    init_db(LearnerSettings.from_env(), LEARNER)
    db = database(LEARNER)
    originals = list(db["courses"].find({}))
    for n in range(2, times + 1):
        copies = []
        for doc in originals:
            copy = dict(doc, _id=ObjectId(), title=f"{doc['title']} ({n})")
            if doc.get("external_id"):
                copy["external_id"] = f"{doc['external_id']}~{n}"
            copies.append(copy)
        db["courses"].insert_many(copies)
    total = db["courses"].count_documents({})
    close_db(LEARNER)
    return int(total)


TIMEOUT_MS = 30_000.0  # services.common.launch.live.call gives up after 30 s


def _times(url: str, n: int) -> list[float]:
    out: list[float] = []
    for _ in range(n):
        started = time.perf_counter()
        try:
            status, body = call("GET", url)
        except (TimeoutError, OSError):
            return [*out, TIMEOUT_MS]  # no answer within 30 s: recorded as such, not repeated
        out.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"GET {url}: {status} {str(body)[:300]}")
    return out


def _fmt(values: list[float], q: float) -> str:
    value = _p(values, q)
    if math.isnan(value):
        return "      -"
    return "  >30 s" if value >= TIMEOUT_MS else f"{value:7.1f}"


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _key(url: str) -> str:
    path = url.split(":", 2)[2].split("/", 1)[1]
    return "/" + ("learners/<id>" if path.startswith("learners/") else path)


def measure(data_dir: Path, tmp: Path, fast: bool, n: int, n_writes: int) -> dict[str, list[float]]:
    """Start learner + jobs on ``data_dir`` and time every read."""
    extra = {
        "QABILET_DATA_DIR": str(data_dir),
        "QABILET_READ_MODELS": "1" if fast else "0",
        "QABILET_FOLLOW_JOBS": "0",
    }
    results: dict[str, list[float]] = {}
    with live_suite(tmp, ["learner", "jobs"], extra=extra, workers=2) as live:
        learner, jobs = live.urls["learner"], live.urls["jobs"]
        _, page = call("GET", f"{learner}/learners?limit=50")
        ids = [item["id"] for item in page["items"]]
        urls = [f"{learner}{q}" for q in COURSE_QUERIES]
        urls += [f"{learner}/learners/{ids[i % len(ids)]}" for i in range(1)]
        urls += [f"{jobs}{q}" for q in VACANCY_QUERIES]
        urls += [f"{learner}{q}" for q in REPORTS]
        for url in urls:
            if _times(url, 4 if fast else 1)[-1] >= TIMEOUT_MS:  # warm-up: both workers
                results[_key(url)] = [TIMEOUT_MS]
                continue
            results[_key(url)] = _times(url, n)
        writes = _enrolments(learner, ids)
        for q in REPORTS:
            if results[_key(f"{learner}{q}")][-1] >= TIMEOUT_MS:  # a busy worker: not again
                results[f"after a write: {q}"] = [TIMEOUT_MS]
                continue
            results[f"after a write: {q}"] = _after_writes(f"{learner}{q}", writes, n_writes)
    return results


def _enrolments(learner: str, people: list[str]) -> Iterator[dict[str, str]]:
    """Yield new enrolment bodies: every listed learner on the last courses of the catalogue."""
    _, first = call("GET", f"{learner}/courses?limit=1")
    _, page = call("GET", f"{learner}/courses?limit=100&offset={max(0, first['total'] - 100)}")
    for course in page["items"]:
        for person in people:
            yield {"learner_id": person, "course_id": course["id"]}


def _after_writes(url: str, writes: Iterator[dict[str, str]], n: int) -> list[float]:
    """Time ``url`` right after each of ``n`` new enrolments (the report must count it)."""
    base = url.split("/reports/", 1)[0]
    out: list[float] = []
    for body in writes:
        try:
            status, answer = call("POST", f"{base}/enrolments", body)
        except (TimeoutError, OSError):
            return [*out, TIMEOUT_MS]
        if status == 409:  # already enrolled there: the next pair
            continue
        if status != 201:
            raise RuntimeError(f"POST /enrolments: {status} {str(answer)[:300]}")
        out += _times(url, 1)
        if len(out) >= n or out[-1] >= TIMEOUT_MS:
            return out
    raise RuntimeError("ran out of new enrolments to write")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--shared",
        type=Path,
        default=Path(os.environ.get("QABILET_SHARED_DATA", ROOT.parent / "shared" / "data")),
    )
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--enrolments", type=int, default=100_000)
    parser.add_argument(
        "--times", type=int, default=10, help="catalogue multiple for the big store"
    )
    parser.add_argument("-n", type=int, default=30, help="timed requests per read (after)")
    parser.add_argument("--n-before", type=int, default=5, help="timed requests per read (before)")
    parser.add_argument(
        "--n-writes", type=int, default=8, help="writes (each then a report) per report"
    )
    parser.add_argument("--keep", type=Path, help="keep the built stores in this folder")
    parser.add_argument(
        "--skip-plain", action="store_true", help="time the read models only (no 'before')"
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-reads-"))
    base, big = work / "x1", work / f"x{args.times}"
    try:
        if not (base / "learner").exists():
            build_base(base, args.shared, args.learners, args.enrolments)
        if not (big / "learner").exists():
            shutil.copytree(base, big)
            print(f"{args.times}x catalogue: {grow_courses(big, args.shared, args.times)} courses")
        load = os.getloadavg()
        print(
            f"\nload average before timing: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
            f"on {os.cpu_count()} cores (shared machine)"
        )
        for label, store in (("1x", base), (f"{args.times}x", big)):
            after = measure(store, work / f"run-{label}-after", True, args.n, args.n_writes)
            before = (
                {key: [math.nan] for key in after}
                if args.skip_plain
                else measure(store, work / f"run-{label}-before", False, args.n_before, 1)
            )
            print(f"\n{label} store ({args.enrolments} enrolments)  ms: p50 / p95")
            print(f"{'read':58s} {'before':>17s} {'after':>15s}")
            for key in after:
                b, a = before[key], after[key]
                print(
                    f"{key[:58]:58s} {_fmt(b, 0.5)} / {_fmt(b, 0.95)}  "
                    f"{_fmt(a, 0.5)} / {_fmt(a, 0.95)}"
                )
        load = os.getloadavg()
        print(f"\nload average after timing: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
