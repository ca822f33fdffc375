"""`make load` end to end: a short locust run through a live gateway, summarised and recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from services.common.launch.live import live_suite

ROOT = Path(__file__).resolve().parents[2]


def _get(url: str, token: str) -> dict:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


def _token(base: str, email: str, password: str) -> str:
    body = json.dumps({"email": email, "password": password}).encode()
    req = urllib.request.Request(
        base + "/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return str(json.load(resp)["access_token"])


@pytest.mark.slow
def test_make_load_writes_reports_with_no_failures_and_records_the_run(tmp_path: Path) -> None:
    # The mix extracts skills and matches titles, which answer once ESCO is imported.
    esco = {"QABILET_ESCO_AUTO_IMPORT": "true"}
    with live_suite(tmp_path, ["learner", "jobs", "matcher", "gateway"], esco) as live:
        gateway = live.urls["gateway"]
        out = tmp_path / "reports"
        env = dict(
            os.environ,
            QABILET_ADMIN_EMAIL="admin@test.kz",
            QABILET_ADMIN_PASSWORD="admin-password-1",
            LOAD_USERS="10",
            LOAD_RATE="5",
            LOAD_DURATION="15s",
        )
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "scripts.load",
                "--users",
                env["LOAD_USERS"],
                "--rate",
                env["LOAD_RATE"],
                "--duration",
                env["LOAD_DURATION"],
                "--host",
                gateway,
                "--out",
                str(out),
                # one account per simulated user, and no more (the 50/10 floor is for make load)
                "--learners",
                "0",
                "--employers",
                "0",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        summary = json.loads((out / "load-summary.json").read_text())
        assert (out / "load.html").stat().st_size > 1000
        assert (out / "load_stats.csv").exists()
        assert summary["requests"] > 20 and summary["failures"] == 0
        for key in ("rps", "p50_ms", "p95_ms", "p99_ms"):
            assert summary[key] is not None and summary[key] > 0
        names = {e["name"] for e in summary["endpoints"]}
        assert "/api/v1/learners/[id]/recommendations/jobs" in names
        # The day mix includes extraction, title matching and the paths; nothing else may fail.
        assert {"/api/v1/skills/extract", "/api/v1/occupations/match"} <= names
        assert sum(e["requests"] for e in summary["endpoints"]) == summary["requests"]
        admin = _token(gateway, "admin@test.kz", "admin-password-1")
        runs = _get(gateway + "/api/v1/ministry/load-runs", admin)
        assert runs["total"] == 1
        assert runs["items"][0]["requests"] == summary["requests"]
        assert runs["items"][0]["users"] == 10
    assert "requests" in run.stdout  # progress and the final figures were printed


def test_load_refuses_when_the_gateway_is_down(tmp_path: Path) -> None:
    from services.common.launch.live import free_port

    run = subprocess.run(
        [sys.executable, "-m", "scripts.load", "--duration", "5s", "--host",
         f"http://127.0.0.1:{free_port()}", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2
    assert "not running" in run.stdout
    assert not (tmp_path / "load-summary.json").exists()
