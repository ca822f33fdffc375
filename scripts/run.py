"""`make run`: start the suite on the embedded store, seeding it on first start.

Order: start every service that exists under gunicorn, then load the real catalogues, vacancies
and generated learners if the learner service has none. The matcher imports ESCO, encodes its
labels and indexes the catalogue in its background worker meanwhile (progress: `make status`,
``GET :8003/sync/status``), so pages answer within seconds of the start. Secrets the gateway
needs are generated once into ``var/``. ``QABILET_RUN_DIR`` / ``QABILET_LOG_DIR`` move the pid
files and logs (a second suite on other ports).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import urllib.request
from pathlib import Path

from services.common.launch import suite, supervise

ROOT = suite.ROOT
VAR = ROOT / "var"


def _secret(name: str, env_var: str, nbytes: int = 32) -> str:
    if os.environ.get(env_var):
        return os.environ[env_var]
    path = VAR / name
    if not path.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


def environment() -> dict[str, str]:
    """Return the environment of `make run`, with generated secrets filled in."""
    env = dict(os.environ)
    env["QABILET_JWT_SECRET"] = _secret("jwt_secret", "QABILET_JWT_SECRET")
    env.setdefault("QABILET_ADMIN_EMAIL", "admin@qabilet.kz")
    # The matcher's worker imports ESCO itself, in the background, when its database has none.
    env.setdefault("QABILET_ESCO_AUTO_IMPORT", "1")
    from services.common import identity

    # One key pair per caller, generated once; services refuse unsigned calls.
    identity.generate_keys(_keys_dir(env))
    env.setdefault("QABILET_KEYS_DIR", str(_keys_dir(env).resolve()))
    env["QABILET_ADMIN_PASSWORD"] = _secret("admin_password", "QABILET_ADMIN_PASSWORD", 12)
    env["QABILET_PROVIDER_PASSWORD"] = _secret("provider_password", "QABILET_PROVIDER_PASSWORD", 12)
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    print("$", " ".join(args), flush=True)
    subprocess.run([sys.executable, *args], cwd=ROOT, env=suite.service_env(env), check=True)


def _keys_dir(env: dict[str, str]) -> Path:
    return Path(env.get("QABILET_KEYS_DIR") or VAR / "keys")


def _learner_count(env: dict[str, str]) -> int:
    from services.common import identity

    port = suite.port_of(suite.SERVICES[0], env)
    req = urllib.request.Request(f"http://127.0.0.1:{port}/learners?limit=1")
    # Services answer only signed callers; this script calls as the operator.
    for name, value in identity.operator_headers(_keys_dir(env), "learner").items():
        req.add_header(name, value)
    with urllib.request.urlopen(req, timeout=10) as r:
        return int(json.load(r)["total"])


def _reporters(env: dict[str, str]) -> dict[str, str]:
    """Return the demo providers' reported_by, creating their accounts (the gateway must run)."""
    from scripts.seed_providers import accounts

    gateway = suite.by_name("gateway")
    if not gateway.available:
        return {}
    url = f"http://127.0.0.1:{suite.port_of(gateway, env)}"
    try:
        return accounts(
            url,
            env["QABILET_ADMIN_EMAIL"],
            env["QABILET_ADMIN_PASSWORD"],
            env["QABILET_PROVIDER_PASSWORD"],
        )
    except (OSError, RuntimeError) as exc:
        # --seed-only runs without the gateway: the completions then carry no reporter.
        print(f"provider accounts not created ({exc}); completions carry no reporter")
        return {}


def seed(env: dict[str, str], *, force: bool = False) -> None:
    """Load real data and generated learners into an empty store."""
    shared = Path(env.get("QABILET_SHARED_DATA", "../shared/data"))
    learners = env.get("SEED_LEARNERS", "300")
    have = {svc.name for svc in suite.SERVICES if svc.available}
    if "learner" in have:
        _run(
            [
                "-m",
                "services.learner.courses.importers",
                "courses",
                "--data-dir",
                str(shared / "courses"),
            ],
            env,
        )
    if "jobs" in have:
        _run(
            [
                "-m",
                "services.jobs.vacancies.importers",
                "vacancies",
                "--data-dir",
                str(shared / "jobs"),
            ],
            env,
        )
    if "learner" in have:
        reporters = _reporters(env)
        _run(
            [
                "-m",
                "services.learner.demo",
                "--reporters",
                json.dumps(reporters),
                "--learners",
                learners,
                # Hires go through the jobs service, which `make run` has started by now.
                *(["--hires"] if "jobs" in have else []),
                *(["--force"] if force else []),
            ],
            env,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed-only", action="store_true", help="seed, don't start")
    args = parser.parse_args()
    env = environment()
    have = {svc.name for svc in suite.SERVICES if svc.available}
    if args.seed_only:
        if "matcher" in have:
            shared = Path(env.get("QABILET_SHARED_DATA", "../shared/data"))
            esco = str(shared / "esco")
            _run(["-m", "services.matcher.esco.taxonomy", "import", "--data-dir", esco], env)
        seed(env, force=False)
        return 0
    os.environ.update(env)
    # Started under the supervisor, which restarts a service whose master dies.
    run_dir = Path(env.get("QABILET_RUN_DIR") or suite.RUN_DIR)
    log_dir = Path(env.get("QABILET_LOG_DIR") or suite.LOG_DIR)
    code = supervise.launch(env, run_dir=run_dir, log_dir=log_dir)
    if code != 0:
        return code
    if "learner" in have and _learner_count(env) == 0:
        print("empty store: seeding with real data (first start only)", flush=True)
        seed(env)
    gw = suite.port_of(suite.SERVICES[3], env)
    print(f"\nQabilet is up: open http://127.0.0.1:{gw}/  (API docs: /docs)")
    print(f"admin: {env['QABILET_ADMIN_EMAIL']} / password in var/admin_password")
    from services.learner.demo.providers import PROVIDERS

    emails = ", ".join(p.email for p in PROVIDERS)
    print(f"providers: {emails} / password in var/provider_password")
    if "matcher" in have:
        print("the matcher imports ESCO and indexes in the background: `make status` shows how far")
    print("stop with: make stop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
