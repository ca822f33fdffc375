"""Start, stop and inspect the suite's gunicorn processes (used by make run/stop, load, bench).

Every process started here listens on the address given (127.0.0.1 unless told otherwise), is
recorded in a pid file under ``var/run``, and is stopped by that pid — never by name. `make run`
starts them under a supervisor (``supervise``, its own pid file here too) that restarts a dead
one; `make stop` stops the supervisor first so it does not restart what is being stopped.
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

# The repository: services/common/launch/suite.py is three folders below it.
ROOT = Path(__file__).resolve().parents[3]
RUN_DIR = ROOT / "var" / "run"
LOG_DIR = ROOT / "var" / "log"
SUPERVISOR = "supervisor"


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


def host_of(service: Service, env: dict[str, str]) -> str:
    """Return the address a service listens on: loopback, except the gateway if told otherwise."""
    return env.get("GATEWAY_HOST", "127.0.0.1") if service.name == "gateway" else "127.0.0.1"


def by_name(name: str) -> Service:
    """Return the service called ``name``."""
    return next(svc for svc in SERVICES if svc.name == name)


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
    return out


# Children started by this process, kept so stop() can reap them (no zombies, no warnings).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def pid_file(name: str, run_dir: Path = RUN_DIR) -> Path:
    return run_dir / f"{name}.pid"


def write_pid(name: str, pid: int, run_dir: Path = RUN_DIR) -> None:
    """Record ``pid`` for ``name`` atomically (a reader never sees a half-written file)."""
    path = pid_file(name, run_dir)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(str(pid))
    os.replace(tmp, path)


def read_pid(name: str, run_dir: Path = RUN_DIR) -> int | None:
    """Return the pid recorded for ``name`` (None when there is none)."""
    try:
        return int(pid_file(name, run_dir).read_text().strip() or 0) or None
    except (FileNotFoundError, ValueError):
        return None


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
        # Trust forwarding headers (SCRIPT_NAME, PATH_INFO, X-Forwarded-*) from nobody, and
        # refuse any header with an underscore: they could make a path read two ways.
        "--forwarded-allow-ips",
        env.get("QABILET_FORWARDED_ALLOW_IPS", ""),
        "--header-map",
        "refuse",
        "--access-logfile",
        "-" if env.get("QABILET_ACCESS_LOG") else "/dev/null",
    ]
    with open(log_dir / f"{service.name}.log", "ab") as log:  # the child keeps its own copy
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=penv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    write_pid(service.name, proc.pid, run_dir)
    _CHILDREN[proc.pid] = proc
    return proc.pid


def remember(proc: subprocess.Popen[bytes]) -> None:
    """Keep a child started elsewhere (the supervisor) so stop() and reap_exited() reap it."""
    _CHILDREN[proc.pid] = proc


def reap_exited() -> None:
    """Collect the children started here that have exited (else they linger as zombies)."""
    for pid, proc in list(_CHILDREN.items()):
        if proc.poll() is not None:
            del _CHILDREN[pid]


def reaped(pid: int, status: int) -> None:
    """Tell that a child started here was reaped elsewhere (os.waitpid) with ``status``."""
    proc = _CHILDREN.pop(pid, None)
    if proc is not None:
        proc.returncode = os.waitstatus_to_exitcode(status)


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


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state follows the command name, which is in parentheses and may hold spaces.
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def alive(pid: int) -> bool:
    """Tell whether ``pid`` runs; an exited process nobody has reaped yet counts as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A process whose parent exited is re-parented to pid 1, which here reaps nobody: without
    # this check a stopped master would look alive until the SIGKILL deadline.
    return not _zombie(pid)


def stop(name: str, run_dir: Path = RUN_DIR, timeout: float = 15.0) -> bool:
    """Stop the process recorded for ``name`` (SIGTERM, then SIGKILL); True if one was running."""
    path = pid_file(name, run_dir)
    pid = read_pid(name, run_dir)
    if pid is None and not path.exists():
        return False
    pid = pid or 0
    # Removed before the signal: a supervisor that sees the death then knows it was meant.
    path.unlink(missing_ok=True)
    if pid <= 0 or not alive(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    child = _CHILDREN.get(pid)
    while time.monotonic() < deadline and alive(pid):
        if child is not None and child.poll() is not None:
            break
        time.sleep(0.1)
    if alive(pid):
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
        running = read_pid(svc.name)
        if running and alive(running):
            print(f"{svc.name:8} already running (pid {running})")
            continue
        host = host_of(svc, env)
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
    # The supervisor first (it exits without touching the services), or it would restart them.
    run_dir = getattr(args, "run_dir", RUN_DIR)
    if stop(SUPERVISOR, run_dir):
        print(f"{SUPERVISOR} stopped")
    for svc in reversed(SERVICES):
        if stop(svc.name, run_dir):
            print(f"{svc.name:8} stopped")
    return 0


def supervisor_state(run_dir: Path = RUN_DIR) -> dict[str, dict[str, object]]:
    """Return what the supervisor last wrote about each service (restarts, state), or {}."""
    try:
        data = json.loads((run_dir / f"{SUPERVISOR}.json").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def cmd_status(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    run_dir = getattr(args, "run_dir", RUN_DIR)
    watcher = read_pid(SUPERVISOR, run_dir)
    watching = bool(watcher and alive(watcher))
    state = supervisor_state(run_dir) if watching else {}
    report: dict[str, dict[str, object]] = {
        SUPERVISOR: {"pid": watcher, "alive": watching},
    }
    for svc in SERVICES:
        pid = read_pid(svc.name, run_dir)
        report[svc.name] = {
            "pid": pid,
            "alive": bool(pid and alive(pid)),
            "port": port_of(svc, env),
        }
        seen = state.get(svc.name)
        if seen:
            report[svc.name]["restarts"] = seen.get("restarts", 0)
            report[svc.name]["supervised"] = seen.get("state")
    print(json.dumps(report, indent=2))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_start = sub.add_parser("start", help="start every available service")
    p_start.add_argument("--only", nargs="*", help="start only these services")
    p_start.set_defaults(func=cmd_start)
    p_stop = sub.add_parser("stop", help="stop the supervisor, then every service started here")
    p_stop.set_defaults(func=cmd_stop)
    p_status = sub.add_parser("status", help="show the supervisor, pids, ports and restarts")
    p_status.set_defaults(func=cmd_status)
    for p in (p_stop, p_status):
        p.add_argument("--run-dir", type=Path, default=RUN_DIR, help="where the pid files are")
    args = parser.parse_args()
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
