"""Keep the suite's gunicorn masters running: restart one that died, with back-off.

`make run` starts this as a small long-lived process (pid file ``var/run/supervisor.pid``, log
``var/log/supervisor.log``). It starts every service (or adopts one already running), notices a
master that died within a fraction of a second, waits until the dead master's workers have let
go of the port, and starts it again with the same command and environment. A service that
keeps dying soon after its start is restarted after 1, 2, 4 … 60 s instead of in a tight loop.
A master stopped through ``suite.stop`` (its pid file removed first) is left stopped. SIGTERM
stops the supervisor only; `make stop` stops it first, then the services, by pid.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import errno
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from services.common.launch import suite

log = logging.getLogger("qabilet.supervisor")

CHECK_SECONDS = 0.1
# A service that stayed up this long has recovered: its next death restarts it at once again.
STABLE_SECONDS = 30.0
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
# The dead master's workers finish their requests first (up to gunicorn's graceful timeout).
PORT_WAIT_SECONDS = 15.0
READY_PROBE_SECONDS = 0.3
PR_SET_CHILD_SUBREAPER = 36


def backoff(strikes: int) -> float:
    """Return the delay before restarting a service that died ``strikes`` times in a row soon."""
    if strikes <= 0:
        return 0.0
    return float(min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (strikes - 1)))


def port_free(host: str, port: int) -> bool:
    """Tell whether ``host:port`` can be bound now (as gunicorn binds: with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def ready(url: str, timeout: float = READY_PROBE_SECONDS) -> bool:
    """Tell whether ``url``/readyz answers 200 right now."""
    try:
        with urllib.request.urlopen(url + "/readyz", timeout=timeout) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def become_subreaper() -> None:
    """Adopt the workers of a dead master, so they are reaped here instead of staying zombies."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


@dataclass
class Watched:
    """One service under supervision."""

    service: suite.Service
    host: str
    port: int
    pid: int | None = None
    child: bool = False  # started here (reaped with waitpid) or adopted (polled by pid)
    started: float = 0.0
    died: float | None = None
    due: float | None = None  # when the back-off ends
    port_deadline: float | None = None
    strikes: int = 0
    restarts: int = 0
    ready: bool = False
    exit: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def state(self) -> str:
        if self.pid is not None:
            return "ready" if self.ready else "starting"
        return "backing-off" if self.due and self.due > time.monotonic() else "restarting"


class Supervisor:
    """Start services, watch their masters' pids, restart the dead ones."""

    def __init__(
        self,
        names: list[str],
        env: dict[str, str],
        *,
        run_dir: Path = suite.RUN_DIR,
        log_dir: Path = suite.LOG_DIR,
    ) -> None:
        self.env = env
        self.run_dir = run_dir
        self.log_dir = log_dir
        self.watched: list[Watched] = []
        for name in names:
            svc = suite.by_name(name)
            self.watched.append(Watched(svc, suite.host_of(svc, env), suite.port_of(svc, env)))
        self.stopping = False

    def _start(self, w: Watched) -> None:
        w.pid = suite.start(
            w.service, self.env, host=w.host, run_dir=self.run_dir, log_dir=self.log_dir
        )
        w.child = True
        w.started = time.monotonic()
        w.ready = False
        w.due = w.port_deadline = None

    def start_all(self) -> None:
        """Start every watched service, adopting one whose recorded master still runs."""
        for w in self.watched:
            pid = suite.read_pid(w.service.name, self.run_dir)
            if pid and suite.alive(pid):
                w.pid, w.child, w.started = pid, False, time.monotonic()
                log.info("%s: adopted running master (pid %s)", w.service.name, pid)
            else:
                self._start(w)
                log.info("%s: started (pid %s)", w.service.name, w.pid)
        self._write_state()

    def _reap(self) -> dict[int, int]:
        """Reap every exited child (masters and adopted orphan workers); return pid → status."""
        out: dict[int, int] = {}
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return out
            if pid == 0:
                return out
            suite.reaped(pid, status)
            out[pid] = status

    def _describe(self, status: int | None) -> str:
        if status is None:
            return "exited"
        if os.WIFSIGNALED(status):
            return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
        return f"exited with code {os.waitstatus_to_exitcode(status)}"

    def _stop_orphans(self, master: int | None) -> None:
        """Ask the dead master's workers (its process group) to finish their requests and exit.

        They notice the death by themselves, but then keep answering kept-alive connections
        as if nothing happened until gunicorn's graceful timeout (10 s with a feed follower
        polling), holding the port; after a SIGTERM they close them within 2 s.
        """
        if master is None or master == os.getpgrp():
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(master, signal.SIGTERM)

    def _died(self, w: Watched, status: int | None, now: float) -> None:
        pid, w.pid = w.pid, None
        recorded = suite.read_pid(w.service.name, self.run_dir)
        if recorded != pid:
            if recorded and suite.alive(recorded):
                # Someone started it again meanwhile (suite.py start): watch that one.
                w.pid, w.child, w.started = recorded, False, now
                log.info("%s: adopted new master (pid %s)", w.service.name, recorded)
                return
            # suite.stop() removes the pid file before signalling: stopped on purpose.
            log.info("%s: master %s stopped on purpose; not restarting", w.service.name, pid)
            self.watched.remove(w)
            return
        self._stop_orphans(pid)
        lived = now - w.started
        if lived >= STABLE_SECONDS:
            w.strikes = 0
        delay = backoff(w.strikes)
        w.strikes += 1
        w.died, w.due, w.port_deadline = now, now + delay, None
        w.exit = self._describe(status)
        log.warning(
            "%s: master %s %s after %.1f s up; restarting in %.0f s",
            w.service.name,
            pid,
            w.exit,
            lived,
            delay,
        )

    def step(self) -> None:
        """One pass: notice deaths, restart what is due, note who became ready."""
        statuses = self._reap()
        now = time.monotonic()
        changed = False
        for w in list(self.watched):
            if w.pid is not None:
                dead = w.pid in statuses if w.child else not suite.alive(w.pid)
                if dead:
                    self._died(w, statuses.get(w.pid), now)
                    changed = True
                elif not w.ready and ready(w.url):
                    w.ready = True
                    changed = True
                    if w.died is not None:
                        log.info(
                            "%s: answering again %.1f s after its master died (pid %s)",
                            w.service.name,
                            time.monotonic() - w.died,
                            w.pid,
                        )
                continue
            if self.stopping or (w.due is not None and now < w.due):
                continue
            if w.port_deadline is None:
                w.port_deadline = now + PORT_WAIT_SECONDS
            # The old workers still hold the listening socket until their last request is done;
            # starting before they let go would only make gunicorn retry its bind once a second.
            if not port_free(w.host, w.port) and now < w.port_deadline:
                continue
            self._start(w)
            w.restarts += 1
            changed = True
            log.info(
                "%s: restarted (pid %s), %.1f s after its master died",
                w.service.name,
                w.pid,
                now - (w.died or now),
            )
        if changed:
            self._write_state()

    def _write_state(self) -> None:
        state = {
            w.service.name: {
                "pid": w.pid,
                "state": w.state,
                "restarts": w.restarts,
                "last_exit": w.exit or None,
            }
            for w in self.watched
        }
        path = self.run_dir / f"{suite.SUPERVISOR}.json"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(state, indent=2))
        os.replace(tmp, path)

    def run(self) -> int:
        """Supervise until SIGTERM or SIGINT; leave the services running."""

        def request_stop(signum: int, _frame: object) -> None:
            self.stopping = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        become_subreaper()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        suite.write_pid(suite.SUPERVISOR, os.getpid(), self.run_dir)
        try:
            self.start_all()
            while not self.stopping:
                self.step()
                time.sleep(CHECK_SECONDS)
        finally:
            if suite.read_pid(suite.SUPERVISOR, self.run_dir) == os.getpid():
                suite.pid_file(suite.SUPERVISOR, self.run_dir).unlink(missing_ok=True)
            (self.run_dir / f"{suite.SUPERVISOR}.json").unlink(missing_ok=True)
            log.info("supervisor stopping; the services keep running until `make stop`")
        return 0


def available(only: list[str] | None) -> list[str]:
    """Return the names of the services to supervise."""
    return [s.name for s in suite.SERVICES if s.available and (not only or s.name in only)]


def launch(
    env: dict[str, str],
    *,
    only: list[str] | None = None,
    run_dir: Path = suite.RUN_DIR,
    log_dir: Path = suite.LOG_DIR,
    timeout: float = 120.0,
) -> int:
    """Start the supervisor in the background (unless running) and wait for every service."""
    names = available(only)
    pid = suite.read_pid(suite.SUPERVISOR, run_dir)
    proc: subprocess.Popen[bytes] | None = None
    state = run_dir / f"{suite.SUPERVISOR}.json"
    if pid and suite.alive(pid):
        print(f"{suite.SUPERVISOR} already running (pid {pid})")
    else:
        run_dir.mkdir(parents=True, exist_ok=True)
        log_dir.mkdir(parents=True, exist_ok=True)
        state.unlink(missing_ok=True)  # left by a supervisor that was killed
        cmd = [sys.executable, "-m", "services.common.launch.supervise", "run"]
        cmd += ["--run-dir", str(run_dir), "--log-dir", str(log_dir), "--only", *names]
        with open(log_dir / f"{suite.SUPERVISOR}.log", "ab") as out:
            proc = subprocess.Popen(
                cmd,
                cwd=suite.ROOT,
                env=suite.service_env(env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        # Recorded here too, so a `make stop` right now already finds it.
        suite.write_pid(suite.SUPERVISOR, proc.pid, run_dir)
        suite.remember(proc)
        print(f"{suite.SUPERVISOR:8} watching {', '.join(names)}  (pid {proc.pid})")
    failed = False
    deadline = time.monotonic() + timeout
    # It writes its state once every service is started or adopted: until then a running
    # service answering /readyz may be one it has not taken over yet.
    while proc is not None and not state.exists() and time.monotonic() < deadline:
        if proc.poll() is not None:
            print(f"the supervisor exited; see {log_dir}/supervisor.log", file=sys.stderr)
            return 1
        time.sleep(0.1)
    for name in names:
        svc = suite.by_name(name)
        url = f"http://127.0.0.1:{suite.port_of(svc, env)}"
        while not ready(url, timeout=2.0) and time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                print(f"the supervisor exited; see {log_dir}/supervisor.log", file=sys.stderr)
                return 1
            time.sleep(0.3)
        if ready(url, timeout=2.0):
            host = suite.host_of(svc, env)
            port = suite.port_of(svc, env)
            pid_now = suite.read_pid(name, run_dir)
            print(f"{name:8} listening on http://{host}:{port}  (pid {pid_now})")
        else:
            failed = True
            print(f"{name:8} did not become ready; see {log_dir}/{name}.log", file=sys.stderr)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    for cmd, text in (("run", "supervise in the foreground"), ("start", "start in background")):
        p = sub.add_parser(cmd, help=text)
        p.add_argument("--only", nargs="*", help="supervise only these services")
        p.add_argument("--run-dir", type=Path, default=suite.RUN_DIR)
        p.add_argument("--log-dir", type=Path, default=suite.LOG_DIR)
    args = parser.parse_args()
    env = dict(os.environ)
    if args.cmd == "start":
        return launch(env, only=args.only, run_dir=args.run_dir, log_dir=args.log_dir)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s supervisor[%(process)d] %(message)s",
        stream=sys.stderr,
    )
    return Supervisor(available(args.only), env, run_dir=args.run_dir, log_dir=args.log_dir).run()


if __name__ == "__main__":
    sys.exit(main())
