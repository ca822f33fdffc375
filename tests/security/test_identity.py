"""Finding 2: every call into learner, jobs and matcher must carry a caller identity it verifies."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask.testing import FlaskClient

from services.common import identity
from services.common.launch.live import call
from tests.gateway.conftest import Live
from tests.gateway.world import World

pytestmark = pytest.mark.slow


def send(method: str, url: str, headers: dict[str, str], body: Any = None) -> tuple[int, Any, str]:
    """Send one request with exactly ``headers``; return status, decoded body, content type."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None, resp.headers["Content-Type"]
    except urllib.error.HTTPError as err:
        raw = err.read()
        return err.code, json.loads(raw) if raw else None, err.headers["Content-Type"]


def keyring(live: Live) -> identity.Keyring:
    return identity.load_keyring(Path(live.env["QABILET_KEYS_DIR"]).resolve())


def token(key: Any, **claims: Any) -> str:
    now = int(time.time())
    base = {"iss": "gateway", "aud": "learner", "iat": now, "exp": now + 60}
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not None}, key, algorithm="EdDSA")


def sensitive_calls(world: World) -> list[tuple[str, str, str, Any]]:
    """(service, method, path, body) that exposed or changed personal data without credentials."""
    return [
        ("learner", "GET", "/learners?limit=3", None),
        ("learner", "GET", f"/learners/{world['learner'].learner_id}", None),
        ("learner", "GET", "/changes?after=0", None),
        ("jobs", "GET", "/applications", None),
        ("jobs", "PATCH", f"/vacancies/{world.vacancy['id']}", {"title": "Hacked"}),
        ("matcher", "GET", "/sync/status", None),
        ("matcher", "POST", "/skills/extract", {"text": "Python, SQL"}),
        ("learner", "GET", "/openapi.json", None),
    ]


def test_no_caller_token_gets_401_problem_and_no_data(live: Live, world: World) -> None:
    for service, method, path, body in sensitive_calls(world):
        status, answer, ctype = send(method, live.urls[service] + path, {}, body)
        assert status == 401, (service, path, status)
        assert ctype.startswith("application/problem+json")
        assert world["learner"].email not in json.dumps(answer)
    status, vacancy = call("GET", f"{live.urls['jobs']}/vacancies/{world.vacancy['id']}")
    assert status == 200 and vacancy["title"] != "Hacked"


def test_health_probes_stay_open(live: Live) -> None:
    for service in ("learner", "jobs", "matcher"):
        for probe in ("/healthz", "/readyz"):
            status, _, _ = send("GET", live.urls[service] + probe, {})
            assert status == 200, (service, probe)


@pytest.mark.parametrize(
    "variant",
    [
        "unknown-key",
        "wrong-audience",
        "expired",
        "unknown-caller",
        "hs256-with-public-key",
        "alg-none",
        "garbage",
        "basic-scheme",
        "no-expiry",
    ],
)
def test_a_wrong_identity_gets_401(live: Live, world: World, variant: str) -> None:
    stranger = Ed25519PrivateKey.generate()
    gateway_key = keyring(live).private["gateway"]
    now = int(time.time())
    header = {
        "unknown-key": f"Bearer {token(stranger)}",
        "wrong-audience": f"Bearer {token(gateway_key, aud='jobs')}",
        "expired": f"Bearer {token(gateway_key, iat=now - 600, exp=now - 300)}",
        "unknown-caller": f"Bearer {token(stranger, iss='intruder')}",
        "hs256-with-public-key": "Bearer "
        + jwt.encode({"iss": "gateway", "aud": "learner", "exp": now + 60}, "x" * 32),
        "alg-none": "Bearer "
        + jwt.encode({"iss": "gateway", "aud": "learner", "exp": now + 60}, None, algorithm="none"),
        "garbage": "Bearer not-a-token",
        "basic-scheme": "Basic Z2F0ZXdheTpwYXNzd29yZA==",
        "no-expiry": f"Bearer {token(gateway_key, exp=None)}",
    }[variant]
    status, answer, ctype = send(
        "GET", f"{live.urls['learner']}/learners?limit=3", {"Authorization": header}
    )
    assert status == 401, (variant, answer)
    assert ctype.startswith("application/problem+json")
    assert world["learner"].email not in json.dumps(answer)


def test_each_caller_may_call_only_what_it_needs(live: Live, world: World) -> None:
    learner_id = world["learner"].learner_id
    as_matcher = {
        "Authorization": f"Bearer {token(keyring(live).private['matcher'], iss='matcher')}"
    }
    status, read, _ = send("GET", f"{live.urls['learner']}/learners/{learner_id}", as_matcher)
    assert status == 200 and read["id"] == learner_id
    status, _, _ = send(
        "PATCH", f"{live.urls['learner']}/learners/{learner_id}", as_matcher, {"name": "X"}
    )
    assert status == 403
    status, _, _ = send("GET", f"{live.urls['learner']}/learners?limit=3", as_matcher)
    assert status == 403
    learner_key = keyring(live).private["learner"]
    learner_token = token(learner_key, iss="learner", aud="jobs")
    as_learner_service = {"Authorization": f"Bearer {learner_token}"}
    status, _, _ = send("GET", f"{live.urls['jobs']}/applications", as_learner_service)
    assert status == 403
    status, page, _ = send("GET", f"{live.urls['jobs']}/changes?after=0", as_learner_service)
    assert status == 200 and "events" in page


def test_the_gateway_still_reaches_every_service(client: FlaskClient, world: World) -> None:
    learner = world["learner"]
    resp = client.get(f"/api/v1/learners/{learner.learner_id}", headers=learner.headers)
    assert resp.status_code == 200 and resp.get_json()["id"] == learner.learner_id
    resp = client.post("/api/v1/skills/extract", json={"text": "Python и SQL"})
    assert resp.status_code == 200


NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    "method,path",
    [
        ("POST", "/api/v1/applications"),
        ("POST", "/api/v1/vacancies"),
        ("POST", "/api/v1/enrolments"),
        ("PATCH", "/api/v1/vacancies/{vacancy}"),
        ("PATCH", "/api/v1/learners/{learner}"),
    ],
)
def test_deeply_nested_json_gets_400_not_500(
    live_gateway: str, world: World, method: str, path: str
) -> None:
    actor = world["employer"] if "vacanc" in path else world["learner"]
    url = live_gateway + path.format(vacancy=world.vacancy["id"], learner=actor.learner_id)
    req = urllib.request.Request(
        url,
        data=NESTED,
        method=method,
        headers={**actor.headers, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, ctype = resp.status, resp.headers["Content-Type"]
    except urllib.error.HTTPError as err:
        status, ctype = err.code, err.headers["Content-Type"]
    assert 400 <= status < 500, (path, status)
    assert ctype.startswith("application/problem+json")
