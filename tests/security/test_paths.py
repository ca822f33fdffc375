"""Finding 1: the gateway forwards exactly the path it authorised, through live gunicorn."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from services.common.launch.live import call
from tests.gateway.conftest import Live
from tests.gateway.world import World

pytestmark = pytest.mark.slow

SKILL = "http://x.example/s"


def raw_request(
    base: str, method: str, target: str, headers: dict[str, str] | None = None, body: Any = None
) -> tuple[int, Any]:
    """Send a request with the target exactly as given (no client-side normalisation)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    data = json.dumps(body).encode() if body is not None else None
    sent = {"Content-Type": "application/json"} if data is not None else {}
    sent.update(headers or {})
    conn.putrequest(method, target, skip_accept_encoding=True)
    for name, value in sent.items():
        conn.putheader(name, value)
    if data is not None:
        conn.putheader("Content-Length", str(len(data)))
    conn.endheaders(data)
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    try:
        return resp.status, json.loads(raw) if raw else None
    except ValueError:
        return resp.status, raw.decode(errors="replace")


def learner_record(live: Live, learner_id: str) -> dict[str, Any]:
    """Read a learner straight from the learner service (as the gateway would)."""
    status, body = call("GET", f"{live.urls['learner']}/learners/{learner_id}")
    assert status == 200, body
    return dict(body)


def attack_target(victim: str, own: str) -> tuple[str, str]:
    prefix = f"/api/v1/learners/{victim}/skills/http://x.example/r"
    target = f"{prefix}/api/v1/learners/{own}/skills/{SKILL}/reject"
    return target, prefix


def test_script_name_attack_is_refused_and_changes_nothing(
    live_gateway: str, world: World, live: Live
) -> None:
    attacker, victim = world["learner"], world["learner2"]
    before = learner_record(live, str(victim.learner_id))
    target, prefix = attack_target(str(victim.learner_id), str(attacker.learner_id))
    for method in ("POST", "DELETE"):
        status, body = raw_request(
            live_gateway, method, target, {**attacker.headers, "SCRIPT_NAME": prefix}
        )
        assert 400 <= status < 500, (method, status, body)
        assert victim.email not in json.dumps(body)
    assert learner_record(live, str(victim.learner_id)) == before


@pytest.mark.parametrize(
    "template",
    [
        # the routed path without the SCRIPT_NAME header: the victim's id is in the path
        "/api/v1/learners/{victim}/skills/http://x.example/r/api/v1/learners/{own}/skills/{skill}/reject",
        "/api/v1/learners/{own}/skills/..%2F..%2F{victim}%2Fskills%2Fx/reject",
        "/api/v1/learners/{own}/skills/../../{victim}/skills/x/reject",
        "/api/v1/learners/{own}%2F..%2F{victim}/skills/x/reject",
        "/api/v1/learners/{victim}%2F/skills/x/reject",
        "/api/v1/learners/{own}/..;/{victim}/skills/x/reject",
        "/api/v1/learners/{victim};{own}/skills/x/reject",
        "//api/v1/learners/{victim}/skills/x/reject",
        "/api/v1//learners/{victim}/skills/x/reject",
        "/api/v1/learners/{own}%252F..%252F{victim}/skills/x/reject",
        "/api/v1/learners/{own}/skills/x%5C..%5C..%5C{victim}/reject",
        "/api/v1/learners/{own}/skills/%2E%2E/%2E%2E/{victim}/skills/x/reject",
        "http://127.0.0.1/api/v1/learners/{victim}/skills/x/reject",
    ],
)
def test_path_variants_never_reach_another_learner(
    live_gateway: str, world: World, live: Live, template: str
) -> None:
    attacker, victim = world["learner"], world["learner2"]
    before = learner_record(live, str(victim.learner_id))
    target = template.format(victim=victim.learner_id, own=attacker.learner_id, skill=SKILL)
    status, body = raw_request(live_gateway, "POST", target, attacker.headers)
    assert 400 <= status < 500, (target, status, body)
    assert victim.email not in json.dumps(body)
    assert learner_record(live, str(victim.learner_id)) == before


@pytest.mark.parametrize(
    "header",
    ["X-Original-URL", "X-Rewrite-URL", "X-Forwarded-Prefix", "Script-Name", "Path_Info"],
)
def test_path_rewriting_headers_are_refused(live_gateway: str, world: World, header: str) -> None:
    victim = world["learner2"]
    status, _ = raw_request(
        live_gateway,
        "GET",
        f"/api/v1/learners/{world['learner'].learner_id}",
        {**world["learner"].headers, header: f"/api/v1/learners/{victim.learner_id}"},
    )
    assert status == 400


def test_own_record_still_works_with_an_esco_uri_in_the_path(
    live_gateway: str, world: World, live: Live
) -> None:
    learner = world["learner"]
    target = f"/api/v1/learners/{learner.learner_id}/skills/{SKILL}/reject"
    status, body = raw_request(live_gateway, "POST", target, learner.headers)
    assert status in (200, 404), body  # 404: the skill is not on the record; never a 4xx path error
    assert not (isinstance(body, dict) and body.get("type", "").endswith("bad-path")), body
