"""A bounded load run an admin starts from the page: one at a time, watched by polling.

The gateway starts ``python -m scripts.load`` as a subprocess against itself (127.0.0.1 and its
own port, never the request's Host, because the script signs in with the admin's password). Its
state lives in ``<data dir>/load-runs`` so that every gunicorn worker sees the same run: a lock
file made with O_EXCL keeps it to one run at a time, ``state.json`` says what runs, the log is
the script's output and ``<run id>.exit`` its exit status. The script records its figures in the
load-test history (``POST /api/v1/ministry/load-runs``) itself.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from services.common.errors import Conflict
from services.common.launch.suite import ROOT
from services.common.state import current_settings

log = logging.getLogger("qabilet.gateway.loadrun")

MAX_USERS = 50
MIN_SECONDS = 5
MAX_SECONDS = 60
LOG_TAIL_LINES = 25
LOG_TAIL_BYTES = 6000
LOCK = "running.lock"
STATE = "state.json"


def runs_dir() -> Path:
    """Return the directory holding the load runs' state and output."""
    path = Path(current_settings().data_dir) / "load-runs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def can_run() -> bool:
    """Say whether locust (a development tool, not in the runtime image) is installed."""
    return importlib.util.find_spec("locust") is not None


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _alive(pid: int) -> bool:
    """Say whether a process runs (a zombie does not)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - LOG_TAIL_BYTES))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-LOG_TAIL_LINES:])


def status() -> dict[str, Any] | None:
    """Return the last run started from the page: figures asked, running or its exit status."""
    folder = runs_dir()
    state = _read(folder / STATE)
    if state is None:
        return None
    done = _read(folder / f"{state['run_id']}.exit")
    running = done is None and _alive(int(state["pid"]))
    elapsed = int((done or {}).get("ended", time.time()) - float(state["started"]))
    return {
        **state,
        "running": running,
        "exit_code": None if done is None else done.get("code"),
        "elapsed": max(0, elapsed),
        "log": _tail(folder / f"{state['run_id']}.log"),
    }


def check(users: str, seconds: str, confirmed: bool) -> tuple[int, int, list[str]]:
    """Return the run's users and seconds, and which of users, seconds, confirm are wrong."""
    n = int(users) if users.strip().isdigit() and len(users.strip()) < 6 else 0
    s = int(seconds) if seconds.strip().isdigit() and len(seconds.strip()) < 6 else 0
    wrong = []
    if not 1 <= n <= MAX_USERS:
        wrong.append("users")
    if not MIN_SECONDS <= s <= MAX_SECONDS:
        wrong.append("seconds")
    if not confirmed:
        wrong.append("confirm")
    return n, s, wrong


def _take_lock(folder: Path) -> int:
    """Create the lock file (one run at a time, across workers), clearing a dead run's lock."""
    lock = folder / LOCK
    for _attempt in range(2):
        try:
            return os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            current = status()
            if current is not None and current["running"]:
                raise Conflict("a load run is going; wait for it to end") from None
            lock.unlink(missing_ok=True)  # its run ended (or its worker died with it)
    raise Conflict("a load run is going; wait for it to end")


def start(users: int, seconds: int, *, by: str) -> dict[str, Any]:
    """Start a load run of ``users`` for ``seconds`` against this gateway; return its state."""
    folder = runs_dir()
    fd = _take_lock(folder)
    run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    out = folder / run_id
    host = f"http://127.0.0.1:{current_settings().port}"
    cmd = [sys.executable, "-m", "scripts.load", "--users", str(users),
           "--duration", f"{seconds}s", "--host", host, "--out", str(out)]  # fmt: skip
    try:
        with (folder / f"{run_id}.log").open("wb") as sink:
            # Its own session, so a worker's signals (a reload) do not stop it halfway; the
            # environment is the gateway's own (the script reads the admin's sign-in from it).
            proc = subprocess.Popen(  # noqa: S603 (a fixed module, numbers checked above)
                cmd, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
    except OSError:
        os.close(fd)
        (folder / LOCK).unlink(missing_ok=True)
        raise
    state = {"run_id": run_id, "pid": proc.pid, "users": users, "seconds": seconds,
             "started": time.time(), "by": by, "host": host}  # fmt: skip
    (folder / STATE).write_text(json.dumps(state), encoding="utf-8")
    os.write(fd, str(proc.pid).encode())
    os.close(fd)
    log.info("load run %s started by %s: %d users for %d s", run_id, by, users, seconds)
    threading.Thread(target=_wait, args=(proc, folder, run_id), daemon=True).start()
    return state


def _wait(proc: subprocess.Popen[bytes], folder: Path, run_id: str) -> None:
    """Reap the run, write its exit status and free the lock."""
    code = proc.wait()
    (folder / f"{run_id}.exit").write_text(
        json.dumps({"code": code, "ended": time.time()}), encoding="utf-8"
    )
    (folder / LOCK).unlink(missing_ok=True)
    log.info("load run %s ended with exit status %d", run_id, code)
