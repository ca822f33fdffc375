"""Start, stop and inspect the suite's gunicorn processes (used by make run/stop, load, bench).

Every process started here listens on the address given (127.0.0.1 unless told otherwise), is
recorded in a pid file under ``var/run``, and is stopped by that pid — never by name.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / "var" / "run"
LOG_DIR = ROOT / "var" / "log"


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    port_env: str
    default_port: int
    workers: int
    threads: int

    @property
    def available(self) -> bool:
        module = self.module.split(":")[0]
        return (ROOT / module.replace(".", "/")).with_suffix(".py").exists()


SERVICES = [
    Service("learner", "services.learner.wsgi:app", "LEARNER_PORT", 8001, 2, 4),
    Service("jobs", "services.jobs.wsgi:app", "JOBS_PORT", 8002, 2, 4),
    # One matcher process: its vector indexes live in memory, once (see README).
    Service("matcher", "services.matcher.wsgi:app", "MATCHER_PORT", 8003, 1, 8),
    Service("gateway", "gateway.wsgi:app", "GATEWAY_PORT", 8000, 2, 8),
]


def port_of(service: Service, env: dict[str, str]) -> int:
    """Return the port a service listens on under ``env``."""
    return int(env.get(service.port_env, service.default_port))


def service_env(env: dict[str, str]) -> dict[str, str]:
    """Return the environment every service process gets (URLs of the others, threads)."""
    out = dict(env)
    for svc in SERVICES:
        key = f"QABILET_{svc.name.upper()}_URL"
        out.setdefault(key, f"http://127.0.0.1:{port_of(svc, env)}")
    # One BLAS/OpenMP thread per worker: with two, single queries stalled 3-30x here.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        out.setdefault(var, "1")
    out.setdefault("HF_HUB_OFFLINE", "1")
    out.setdefault("PYTHONPATH", str(ROOT))
    return out


# Children started by this process, kept so stop() can reap them (no zombies, no warnings).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def pid_file(name: str, run_dir: Path = RUN_DIR) -> Path:
    return run_dir / f"{name}.pid"


def start(
    service: Service,
    env: dict[str, str],
    *,
    host: str = "127.0.0.1",
    run_dir: Path = RUN_DIR,
    log_dir: Path = LOG_DIR,
) -> int:
    """Start one service under gunicorn in the background; return its pid."""
    run_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    port = port_of(service, env)
    penv = service_env(env)
    penv["QABILET_SERVICE"] = service.name
    penv["QABILET_PORT"] = str(port)
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        service.module,
        "--bind",
        f"{host}:{port}",
        "--workers",
        env.get(f"{service.name.upper()}_WORKERS", str(service.workers)),
        "--worker-class",
        "gthread",
        "--threads",
        str(service.threads),
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        "--access-logfile",
        "-" if env.get("QABILET_ACCESS_LOG") else "/dev/null",
    ]
    with open(log_dir / f"{service.name}.log", "ab") as log:  # the child keeps its own copy
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=penv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    pid_file(service.name, run_dir).write_text(str(proc.pid))
    _CHILDREN[proc.pid] = proc
    return proc.pid


def wait_ready(url: str, timeout: float = 120.0) -> bool:
    """Poll ``url``/readyz until it answers 200 or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as resp:
                if resp.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop(name: str, run_dir: Path = RUN_DIR, timeout: float = 15.0) -> bool:
    """Stop the process recorded for ``name`` (SIGTERM, then SIGKILL); True if one was running."""
    path = pid_file(name, run_dir)
    if not path.exists():
        return False
    pid = int(path.read_text().strip() or 0)
    path.unlink()
    if pid <= 0 or not _alive(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    child = _CHILDREN.get(pid)
    while time.monotonic() < deadline and _alive(pid):
        if child is not None and child.poll() is not None:
            break
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        child.wait(timeout=timeout)
    return True


def cmd_start(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    started = []
    for svc in SERVICES:
        if not svc.available or (args.only and svc.name not in args.only):
            continue
        if pid_file(svc.name).exists() and _alive(int(pid_file(svc.name).read_text() or 0)):
            print(f"{svc.name:8} already running (pid {pid_file(svc.name).read_text()})")
            continue
        host = env.get("GATEWAY_HOST", "127.0.0.1") if svc.name == "gateway" else "127.0.0.1"
        pid = start(svc, env, host=host)
        started.append((svc, host, pid))
    failed = False
    for svc, host, pid in started:
        url = f"http://127.0.0.1:{port_of(svc, env)}"
        if wait_ready(url):
            print(f"{svc.name:8} listening on http://{host}:{port_of(svc, env)}  (pid {pid})")
        else:
            failed = True
            print(f"{svc.name:8} did not become ready; see var/log/{svc.name}.log", file=sys.stderr)
    return 1 if failed else 0


def cmd_stop(args: argparse.Namespace) -> int:
    for svc in reversed(SERVICES):
        if stop(svc.name):
            print(f"{svc.name:8} stopped")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    report = {}
    for svc in SERVICES:
        path = pid_file(svc.name)
        pid = int(path.read_text()) if path.exists() else None
        report[svc.name] = {
            "pid": pid,
            "alive": bool(pid and _alive(pid)),
            "port": port_of(svc, env),
        }
    print(json.dumps(report, indent=2))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_start = sub.add_parser("start", help="start every available service")
    p_start.add_argument("--only", nargs="*", help="start only these services")
    p_start.set_defaults(func=cmd_start)
    sub.add_parser("stop", help="stop every service started here").set_defaults(func=cmd_stop)
    sub.add_parser("status", help="show pids and ports").set_defaults(func=cmd_status)
    args = parser.parse_args()
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
