"""Measure the gateway's overhead: the same GET straight to a service and through the gateway.

Starts the jobs service and the gateway under gunicorn on free 127.0.0.1 ports (data in a tmp
dir), creates one employer and vacancy, warms both paths, then measures with the same load tool
and connection count, alternating direct and gateway runs. Prints req/s and p50/p99 of each, the
ratio, writes reports/gateway_bench.json, and stops every server it started by pid.

    .venv/bin/python -m scripts.bench_gateway [--seconds 10] [--connections 32] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from services.common import identity
from services.common.launch.live import live_suite
from services.common.launch.suite import ROOT

SECRET = "bench-secret-" + "b" * 40
ADMIN = ("admin@bench.kz", "bench-password-1")


def call(method: str, url: str, body: Any = None, token: str | None = None) -> Any:
    """Send one JSON request and return the decoded answer (raising on an error status)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


def wrk(url: str, seconds: int, connections: int, token: str | None) -> dict[str, float]:
    """Run wrk against ``url``; return req/s and p50/p99 in ms."""
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    if token:
        cmd[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def pct(label: str) -> float:
        found = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out)
        assert found, out
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {
        "rps": rps,
        "p50_ms": pct("50"),
        "p99_ms": pct("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def _client(args: tuple[str, float, str | None, int]) -> list[float]:
    url, until, token, _ = args
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    times: list[float] = []
    while time.monotonic() < until:
        started = time.perf_counter()
        conn.request("GET", parts.path, headers=headers)
        conn.getresponse().read()
        times.append(time.perf_counter() - started)
    conn.close()
    return times


def pyload(url: str, seconds: int, connections: int, token: str | None) -> dict[str, float]:
    """Fallback load: one process per connection, kept-alive http.client."""
    until = time.monotonic() + seconds
    with multiprocessing.Pool(connections) as pool:
        runs = pool.map(_client, [(url, until, token, i) for i in range(connections)])
    times = sorted(t for run in runs for t in run)
    return {
        "rps": len(times) / seconds,
        "p50_ms": times[len(times) // 2] * 1000,
        "p99_ms": times[int(len(times) * 0.99)] * 1000,
        "non_2xx": 0,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write reports/gateway_bench.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "gateway_bench.json")
    args = parser.parse_args(argv)
    tool = "wrk" if shutil.which("wrk") else "python-http.client"
    load = wrk if tool == "wrk" else pyload
    extra = {
        "QABILET_JWT_SECRET": SECRET,
        "QABILET_ADMIN_EMAIL": ADMIN[0],
        "QABILET_ADMIN_PASSWORD": ADMIN[1],
        "QABILET_RATELIMIT_DEFAULT": "100000000/minute",
        "QABILET_LOG_LEVEL": "WARNING",
    }
    with (
        tempfile.TemporaryDirectory(prefix="qabilet-bench-") as tmp,
        live_suite(Path(tmp), ["jobs", "gateway"], extra) as live,
    ):
        jobs, gateway = live.urls["jobs"], live.urls["gateway"]
        # Direct calls carry a caller token, as the gateway's own calls do.
        keys = identity.load_keyring(Path(live.env["QABILET_KEYS_DIR"]).resolve())
        direct = identity.Signer(keys, "operator", 3600).token("jobs")
        token = call(
            "POST", f"{gateway}/api/v1/auth/token", {"email": ADMIN[0], "password": ADMIN[1]}
        )["access_token"]
        employer = call(
            "POST",
            f"{jobs}/employers",
            {"name": "Bench LLP", "bin": "000000000000", "region": "astana", "sector": "IT"},
            token=direct,
        )
        vacancy = call(
            "POST",
            f"{jobs}/vacancies",
            {"employer_id": employer["id"], "title": "Bench engineer", "region": "astana"},
            token=direct,
        )
        direct_url = f"{jobs}/vacancies/{vacancy['id']}"
        gateway_url = f"{gateway}/api/v1/vacancies/{vacancy['id']}"
        assert call("GET", gateway_url, token=token) == call("GET", direct_url, token=direct)
        for url, tok in ((direct_url, direct), (gateway_url, token)):
            load(url, 3, args.connections, tok)  # warm-up
        runs: dict[str, list[dict[str, float]]] = {"direct": [], "gateway": []}
        for _ in range(args.rounds):
            runs["direct"].append(load(direct_url, args.seconds, args.connections, direct))
            runs["gateway"].append(load(gateway_url, args.seconds, args.connections, token))
        summary = {
            kind: {
                key: round(statistics.mean(r[key] for r in results), 2)
                for key in ("rps", "p50_ms", "p99_ms")
            }
            for kind, results in runs.items()
        }
        ratio = summary["gateway"]["rps"] / summary["direct"]["rps"]
        report = {
            "what": "GET one vacancy: jobs service direct vs GET /api/v1/vacancies/{id} through "
            "the gateway with a bearer token (same run, same load tool and connections)",
            "tool": tool,
            "connections": args.connections,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "gunicorn": {"jobs": "gthread 2x4", "gateway": "gthread 2x8"},
            "cpus": os.cpu_count(),
            "runs": runs,
            "summary": summary,
            "ratio": round(ratio, 3),
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")
        for kind in ("direct", "gateway"):
            s = summary[kind]
            print(
                f"{kind:8} {s['rps']:8.0f} req/s  p50 {s['p50_ms']:6.2f} ms  "
                f"p99 {s['p99_ms']:6.2f} ms"
            )
        print(f"ratio    {ratio:.1%} of direct  ({tool}, {args.connections} connections)")
        print(f"written  {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
