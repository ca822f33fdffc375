"""kill -9 of a service's gunicorn master while writes flow through the gateway (live gunicorn).

The services run under the supervisor `make run` uses (launch/supervise.py). While four
writers change their own records through the gateway, a master gets SIGKILL. Meanwhile the
gateway answers 503 problem+json with Retry-After (never a 500, never a hang), the service
answers again within 10 s, every acknowledged write is in the store, and the feed has no gap.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from services.common.launch import suite, supervise
from services.common.launch.live import call, free_port, suite_env
from tests.security.writers import (
    BIN_SEEDS,
    Writer,
    all_events,
    api,
    register_employer,
    register_learner,
    wait_for,
)

pytestmark = pytest.mark.slow

NAMES = ("learner", "jobs", "matcher", "gateway")
WRITERS = 4
BACK_WITHIN = 10.0
# Longer than any answer may take: the gateway's upstream timeout is 10 s, a hang would hit it.
HANG_SECONDS = 8.0
BREAKER_SECONDS = 5.0  # the gateway's default QABILET_BREAKER_SECONDS


@dataclass
class Supervised:
    """Services running under the supervisor in a tmp directory."""

    urls: dict[str, str]
    run_dir: Path
    log_dir: Path
    supervisor: subprocess.Popen[bytes]

    def master(self, name: str) -> int:
        pid = suite.read_pid(name, self.run_dir)
        assert pid, f"no pid recorded for {name}"
        return pid

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text()[-4000:] if path.exists() else ""

    def wait_replaced(self, name: str, old: int, timeout: float) -> float:
        """Return the monotonic time a new master of ``name`` first answered /readyz."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # The old master's workers answer for a moment after its death: only a new pid counts.
            now_pid = suite.read_pid(name, self.run_dir)
            if now_pid and now_pid != old and supervise.ready(self.urls[name], timeout=0.5):
                return time.monotonic()
            time.sleep(0.05)
        raise AssertionError(
            f"{name} not back within {timeout} s:\n{self.log('supervisor')}\n{self.log(name)}"
        )


def stop_all(run_dir: Path) -> str:
    """Stop everything as `make stop` does (the supervisor first, then each service, by pid)."""
    out = subprocess.run(
        [sys.executable, "-m", "services.common.launch.suite", "stop", "--run-dir", str(run_dir)],
        cwd=suite.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return out.stdout + out.stderr


@pytest.fixture(scope="module")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Supervised]:
    tmp = tmp_path_factory.mktemp("kill9")
    ports = {svc.name: free_port() for svc in suite.SERVICES}
    env = suite_env(
        tmp,
        ports,
        {
            "QABILET_RATELIMIT_DEFAULT": "100000/minute",
            "QABILET_RATELIMIT_ANONYMOUS": "100000/minute",
            "QABILET_RATELIMIT_LOGIN": "100000/minute",
            "LEARNER_WORKERS": "2",
            "JOBS_WORKERS": "2",
            "GATEWAY_WORKERS": "2",
        },
    )
    run_dir, log_dir = tmp / "run", tmp / "log"
    log_dir.mkdir(parents=True)
    with open(log_dir / "supervisor.log", "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.common.launch.supervise", "run"]
            + ["--run-dir", str(run_dir)]
            + ["--log-dir", str(log_dir), "--only", *NAMES],
            cwd=suite.ROOT,
            env=suite.service_env(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    live = Supervised(
        {n: f"http://127.0.0.1:{p}" for n, p in ports.items()}, run_dir, log_dir, proc
    )
    try:
        for name in NAMES:
            if not suite.wait_ready(live.urls[name], timeout=90):
                raise RuntimeError(f"{name} did not become ready:\n{live.log(name)}")
        yield live
    finally:
        stop_all(run_dir)
        if proc.poll() is None:  # only if `make stop`'s path failed to stop it
            proc.kill()
        proc.wait(timeout=30)


def writers_for(live: Supervised, service: str, round_tag: str) -> list[Writer]:
    """Return the four writers whose writes land in ``service``."""
    base = live.urls["gateway"]
    out = []
    for t in range(WRITERS):
        tag = f"{round_tag}-{t}"
        if service == "jobs":
            token, eid = register_employer(base, tag, next(BIN_SEEDS))
            out.append(Writer(token, f"/employers/{eid}", "sector", tag))
        else:
            token, lid = register_learner(base, tag)
            out.append(Writer(token, f"/learners/{lid}", "cv_text", tag))
    return out


def kill_under_load(live: Supervised, victim: str, store: str, round_tag: str) -> dict[str, Any]:
    """Kill ``victim``'s master while writers change records kept by ``store``; check it all."""
    writers = writers_for(live, store, round_tag)
    stop = threading.Event()
    threads = [
        threading.Thread(target=w.run, args=(live.urls["gateway"], stop), daemon=True)
        for w in writers
    ]
    for t in threads:
        t.start()
    try:
        wait_for(lambda: all(len(w.acked) >= 3 for w in writers), 60, "writes before the kill")
        old = live.master(victim)
        killed = time.monotonic()
        os.kill(old, signal.SIGKILL)
        back = live.wait_replaced(victim, old, timeout=30)
        wait_for(
            lambda: all(sum(a["started"] > back for a in w.acked) >= 3 for w in writers),
            60,
            "acknowledged writes after the restart",
        )
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=90)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    attempts = [a for w in writers for a in w.attempts]
    statuses: dict[int, int] = {}
    for a in attempts:
        statuses[a["status"]] = statuses.get(a["status"], 0) + 1
    # Writes resumed through the gateway: the first acknowledgement after the last refusal.
    last_refusal = max((a["started"] for a in attempts if a["status"] != 200), default=killed)
    through = min(
        (a["started"] + a["elapsed"] for a in attempts if a["started"] > last_refusal),
        default=float("nan"),
    )
    print(  # shown with -s: the figures the README quotes
        f"\n{victim} killed: back after {back - killed:.2f} s, first write through the gateway "
        f"acknowledged after {through - killed:.2f} s; answers {statuses}; slowest "
        f"{max(a['elapsed'] for a in attempts):.2f} s"
    )
    return {
        "writers": writers,
        "attempts": attempts,
        "killed": killed,
        "back_after": back - killed,
        "through_after": through - killed,
    }


def assert_nothing_lost(live: Supervised, store: str, writers: list[Writer], event: str) -> None:
    """Every acknowledged write is in the store and on a gap-free feed, in order."""
    base = live.urls[store]
    for w in writers:
        last = w.acked[-1]
        status, record = call("GET", base + w.path)
        assert status == 200, record
        assert record[w.field_name] == w.value(last["n"]), (w.tag, record[w.field_name])
    events = all_events(base)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    for w in writers:
        record_id = w.path.rsplit("/", 1)[1]
        seen = [
            e["data"][w.field_name] for e in events if e["type"] == event and e["id"] == record_id
        ]
        acked = [w.value(a["n"]) for a in w.acked]
        assert set(acked) <= set(seen), set(acked) - set(seen)
        # The feed tells them in the order they were acknowledged.
        positions = [seen.index(v) for v in acked]
        assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("victim", "event"), [("learner", "learner.updated"), ("jobs", "employer.updated")]
)
def test_killed_service_comes_back_and_loses_no_acknowledged_write(
    supervised: Supervised, victim: str, event: str
) -> None:
    run = kill_under_load(supervised, victim, victim, f"{victim}-kill")
    attempts = run["attempts"]
    assert run["back_after"] <= BACK_WITHIN, run["back_after"]
    # Through the gateway, at most the breaker's fail-fast window (5 s) later.
    assert run["through_after"] <= BACK_WITHIN + BREAKER_SECONDS, run["through_after"]
    failed = [a for a in attempts if not 200 <= a["status"] < 300]
    assert failed, "no request saw the service down: the kill did not happen under load"
    for a in failed:
        # A write in flight when the master died is refused plainly, never a 500 nor a hang.
        assert a["status"] == 503, a
        assert a["content_type"].startswith("application/problem+json"), a
        assert a["retry_after"] and int(a["retry_after"]) >= 1, a
        assert a["body"]["service"] == victim, a
    assert max(a["elapsed"] for a in attempts) < HANG_SECONDS
    assert_nothing_lost(supervised, victim, run["writers"], event)
    restarts = supervised.log("supervisor")
    assert f"{victim}: master" in restarts and "killed by SIGKILL" in restarts


def test_killed_gateway_comes_back_and_loses_no_acknowledged_write(
    supervised: Supervised,
) -> None:
    run = kill_under_load(supervised, "gateway", "learner", "gateway-kill")
    assert run["back_after"] <= BACK_WITHIN, run["back_after"]
    for a in run["attempts"]:
        # Nobody answers for the gateway while it is down: refused connections, never a 500.
        assert a["status"] in (0, 200, 503), a
        assert a["elapsed"] < HANG_SECONDS, a
    assert_nothing_lost(supervised, "learner", run["writers"], "learner.updated")


def test_killed_matcher_comes_back_within_ten_seconds(supervised: Supervised) -> None:
    """The matcher only reads: while it is down the gateway says 503, and it is back in 10 s."""
    answers: list[tuple[int, dict[str, str], Any]] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            answers.append(api(supervised.urls["gateway"], "GET", "/skills?limit=1"))
            time.sleep(0.02)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        wait_for(lambda: any(a[0] == 200 for a in answers), 60, "a read before the kill")
        old = supervised.master("matcher")
        killed = time.monotonic()
        os.kill(old, signal.SIGKILL)
        back = supervised.wait_replaced("matcher", old, timeout=30)
        print(f"\nmatcher killed: back after {back - killed:.2f} s")
        assert back - killed <= BACK_WITHIN
        wait_for(lambda: answers[-1][0] == 200, BREAKER_SECONDS + 10, "reads after the restart")
    finally:
        stop.set()
        reader.join(timeout=60)
    refused = [a for a in answers if a[0] != 200]
    assert refused, "no read saw the matcher down: the kill did not happen under load"
    for status, headers, body in refused:
        assert status == 503 and int(headers["Retry-After"]) >= 1, (status, body)


def test_a_service_stopped_on_purpose_stays_stopped(supervised: Supervised) -> None:
    before = supervised.master("jobs")
    assert suite.stop("jobs", supervised.run_dir)
    time.sleep(3)  # many supervisor passes
    assert suite.read_pid("jobs", supervised.run_dir) is None
    assert not suite.alive(before)
    assert not supervise.ready(supervised.urls["jobs"])
    assert "jobs: master" in supervised.log("supervisor")
    assert "stopped on purpose" in supervised.log("supervisor")


def test_make_stop_stops_the_supervisor_first_then_every_service(
    tmp_path: Path,
) -> None:
    ports = {svc.name: free_port() for svc in suite.SERVICES}
    env = suite_env(tmp_path, ports)
    run_dir, log_dir = tmp_path / "run", tmp_path / "log"
    code = supervise.launch(env, only=["learner"], run_dir=run_dir, log_dir=log_dir, timeout=90)
    assert code == 0, (log_dir / "learner.log").read_text()[-3000:]
    watcher = suite.read_pid(suite.SUPERVISOR, run_dir)
    master = suite.read_pid("learner", run_dir)
    assert watcher and master and suite.alive(watcher) and suite.alive(master)
    status = subprocess.run(
        [sys.executable, "-m", "services.common.launch.suite", "status", "--run-dir", str(run_dir)],
        cwd=suite.ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(status.stdout)
    assert report["supervisor"] == {"pid": watcher, "alive": True}
    assert report["learner"]["pid"] == master and report["learner"]["alive"]
    out = stop_all(run_dir)
    suite.reap_exited()  # the supervisor is this process's child
    assert out.index("supervisor stopped") < out.index("learner  stopped"), out
    assert not suite.alive(watcher) and not suite.alive(master)
    assert not list(run_dir.glob("*.pid"))
    log = (log_dir / "supervisor.log").read_text()
    assert "restarted" not in log, log


def supervised_log(log_dir: Path) -> str:
    return (log_dir / "supervisor.log").read_text()


def test_a_crash_looping_service_is_restarted_with_back_off(tmp_path: Path) -> None:
    ports = {svc.name: free_port() for svc in suite.SERVICES}
    # gunicorn refuses its own command line: the master exits at once, every time.
    env = suite_env(tmp_path, ports, {"LEARNER_WORKERS": "not-a-number"})
    run_dir, log_dir = tmp_path / "run", tmp_path / "log"
    log_dir.mkdir(parents=True)
    with open(log_dir / "supervisor.log", "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.common.launch.supervise", "run"]
            + ["--run-dir", str(run_dir)]
            + ["--log-dir", str(log_dir), "--only", "learner"],
            cwd=suite.ROOT,
            env=suite.service_env(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: supervised_log(log_dir).count("restarting in") >= 3, 90, "three restarts")
    finally:
        stop_all(run_dir)
        proc.wait(timeout=30)
    log = (log_dir / "supervisor.log").read_text()
    delays = [
        float(line.rsplit("restarting in ", 1)[1].split()[0])
        for line in log.splitlines()
        if "restarting in" in line
    ]
    assert len(delays) >= 3, log
    assert delays[:3] == [0.0, 1.0, 2.0], log
    assert delays == sorted(delays), log
    starts = log.count("learner: started") + log.count("learner: restarted")
    assert starts <= len(delays) + 2, log  # in a tight loop it would have been dozens
