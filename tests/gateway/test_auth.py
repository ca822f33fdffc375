"""Accounts and tokens: sign-in, registration with compensation, expiry, tampering, revocation."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.app import create_app
from gateway.settings import Settings
from services.common.settings import SettingsError
from tests.gateway.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    SECRET,
    Live,
    close_gateway,
    gateway_settings,
)
from tests.gateway.world import API, PASSWORD, learner_profile, ok, sign_in, valid_bin


@pytest.fixture
def fresh(live: Live, tmp_path: Path) -> Iterator[Flask]:
    """A gateway with an empty account store, wired to the live services."""
    app = create_app(gateway_settings(tmp_path / "gw", live))
    yield app
    close_gateway(app)


@pytest.fixture
def gw(fresh: Flask) -> FlaskClient:
    return fresh.test_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def admin_token(gw: FlaskClient) -> str:
    return sign_in(gw, ADMIN_EMAIL, ADMIN_PASSWORD)


def register_learner(gw: FlaskClient, email: str, **profile: object) -> dict:
    body = {
        "role": "learner",
        "email": email,
        "password": PASSWORD,
        "profile": {**learner_profile("Aruzhan Bek", [], consent=False), **profile},
    }
    return gw.post(f"{API}/auth/register", json=body)


def test_settings_require_a_long_token_secret() -> None:
    with pytest.raises(SettingsError, match="QABILET_JWT_SECRET is required"):
        Settings.from_env(env={})
    with pytest.raises(SettingsError, match="at least 32 characters"):
        Settings.from_env(env={"QABILET_JWT_SECRET": "short"})


def test_first_admin_is_created_once_and_can_sign_in(live: Live, tmp_path: Path) -> None:
    settings = gateway_settings(tmp_path / "gw", live)
    first, second = create_app(settings), create_app(settings)
    token = sign_in(second.test_client(), ADMIN_EMAIL, ADMIN_PASSWORD)
    page = ok(second.test_client().get(f"{API}/accounts?role=admin", headers=bearer(token)))
    assert [a["email"] for a in page["items"]] == [ADMIN_EMAIL]
    for app in (first, second):
        close_gateway(app)


def test_token_carries_the_claims_and_me_shows_the_profile(gw: FlaskClient) -> None:
    resp = register_learner(gw, "token@example.kz")
    body = ok(resp, 201)
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"])
    assert {"exp", "iat", "sub", "role", "jti"} <= set(claims)
    assert claims["role"] == "learner" and claims["exp"] > time.time()
    me = ok(gw.get(f"{API}/me", headers=bearer(body["access_token"])))
    assert me["role"] == "learner" and me["learner_id"] == body["account"]["learner_id"]
    profile = ok(gw.get(f"{API}/learners/{me['learner_id']}", headers=bearer(body["access_token"])))
    assert profile["email"] == "token@example.kz"


def test_wrong_password_and_unknown_email_are_refused_alike(gw: FlaskClient) -> None:
    wrong = gw.post(f"{API}/auth/token", json={"email": ADMIN_EMAIL, "password": "nope-nope"})
    unknown = gw.post(f"{API}/auth/token", json={"email": "who@x.kz", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["detail"] == unknown.get_json()["detail"]


def test_failed_profile_leaves_no_account(gw: FlaskClient) -> None:
    resp = register_learner(gw, "broken@example.kz", region="atlantis")
    assert resp.status_code == 422
    assert "profile.region" in {e["field"] for e in resp.get_json()["errors"]}
    login = gw.post(f"{API}/auth/token", json={"email": "broken@example.kz", "password": PASSWORD})
    assert login.status_code == 401
    accounts = ok(gw.get(f"{API}/accounts?q=broken", headers=bearer(admin_token(gw))))
    assert accounts["total"] == 0
    assert ok(register_learner(gw, "broken@example.kz"), 201)["account"]["email"]


def test_taken_email_creates_no_second_profile(gw: FlaskClient) -> None:
    email = f"twice-{uuid.uuid4().hex[:6]}@example.kz"
    ok(register_learner(gw, email), 201)
    again = register_learner(gw, email)
    assert again.status_code == 409
    learners = ok(
        gw.get(f"{API}/learners", query_string={"q": email}, headers=bearer(admin_token(gw)))
    )
    assert learners["total"] == 1


def test_profile_service_down_leaves_no_account(live: Live, tmp_path: Path) -> None:
    app = create_app(gateway_settings(tmp_path / "gw", live, learner_url="http://127.0.0.1:9"))
    gw = app.test_client()
    resp = register_learner(gw, "down@example.kz")
    assert resp.status_code == 503 and "Retry-After" in resp.headers
    accounts = ok(gw.get(f"{API}/accounts?q=down", headers=bearer(admin_token(gw))))
    assert accounts["total"] == 0
    close_gateway(app)


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(
            lambda c: jwt.encode({**c, "role": "admin"}, "x" * 40, "HS256"), id="other-key"
        ),
        pytest.param(
            lambda c: jwt.encode({**c, "exp": int(time.time()) - 5}, SECRET, "HS256"), id="expired"
        ),
        pytest.param(lambda c: jwt.encode(c, None, "none"), id="alg-none"),
        pytest.param(
            lambda c: jwt.encode({k: v for k, v in c.items() if k != "jti"}, SECRET, "HS256"),
            id="missing-jti",
        ),
    ],
)
def test_expired_or_tampered_tokens_are_refused(gw: FlaskClient, mutate) -> None:
    token = admin_token(gw)
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    resp = gw.get(f"{API}/accounts", headers=bearer(mutate(claims)))
    assert resp.status_code == 401
    assert resp.mimetype == "application/problem+json"
    assert "Bearer" in resp.headers["WWW-Authenticate"]


def test_token_with_a_changed_payload_fails_its_signature(gw: FlaskClient) -> None:
    body = ok(register_learner(gw, "climber@example.kz"), 201)
    header, payload, signature = body["access_token"].split(".")
    forged_claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    forged_claims["role"] = "admin"
    forged_payload = jwt.encode(forged_claims, "k" * 40, "HS256").split(".")[1]
    resp = gw.get(f"{API}/accounts", headers=bearer(f"{header}.{forged_payload}.{signature}"))
    assert resp.status_code == 401


def test_token_expires_after_its_lifetime(live: Live, tmp_path: Path) -> None:
    app = create_app(gateway_settings(tmp_path / "gw", live, token_ttl=1))
    gw = app.test_client()
    token = admin_token(gw)
    assert gw.get(f"{API}/me", headers=bearer(token)).status_code == 200
    time.sleep(2.1)
    assert gw.get(f"{API}/me", headers=bearer(token)).status_code == 401
    close_gateway(app)


def test_deactivated_account_loses_access_and_cannot_sign_in(gw: FlaskClient) -> None:
    admin = bearer(admin_token(gw))
    body = ok(register_learner(gw, "leaver@example.kz"), 201)
    token = body["access_token"]
    assert gw.get(f"{API}/me", headers=bearer(token)).status_code == 200
    ok(gw.post(f"{API}/accounts/{body['account']['id']}/deactivate", headers=admin))
    assert gw.get(f"{API}/me", headers=bearer(token)).status_code == 401
    login = gw.post(f"{API}/auth/token", json={"email": "leaver@example.kz", "password": PASSWORD})
    assert login.status_code == 401
    me = ok(gw.get(f"{API}/me", headers=admin))
    assert (
        gw.post(f"{API}/accounts/{me['account_id']}/deactivate", headers=admin).status_code == 409
    )


def test_logout_revokes_the_token(gw: FlaskClient) -> None:
    token = admin_token(gw)
    assert gw.post(f"{API}/auth/logout", headers=bearer(token)).status_code == 204
    assert gw.get(f"{API}/me", headers=bearer(token)).status_code == 401


def test_admin_creates_accounts_of_every_role(gw: FlaskClient) -> None:
    admin = bearer(admin_token(gw))
    made = ok(
        gw.post(
            f"{API}/accounts",
            headers=admin,
            json={"email": "m@enbek.kz", "password": PASSWORD, "role": "ministry"},
        ),
        201,
    )
    assert made["role"] == "ministry" and "password_hash" not in made
    employer = ok(
        gw.post(
            f"{API}/accounts",
            headers=admin,
            json={
                "email": "boss@co.kz",
                "password": PASSWORD,
                "role": "employer",
                "profile": {
                    "name": "Co",
                    "bin": valid_bin(uuid.uuid4().int % 10**11),
                    "region": "astana",
                    "sector": "IT",
                },
            },
        ),
        201,
    )
    assert employer["employer_id"]
    orphan = gw.post(
        f"{API}/accounts",
        headers=admin,
        json={"email": "l@x.kz", "password": PASSWORD, "role": "learner"},
    )
    assert orphan.status_code == 422
    missing = gw.post(
        f"{API}/accounts",
        headers=admin,
        json={"email": "l@x.kz", "password": PASSWORD, "role": "learner", "learner_id": "0" * 24},
    )
    assert missing.status_code == 404
    roles = {a["role"] for a in ok(gw.get(f"{API}/accounts", headers=admin))["items"]}
    assert roles == {"admin", "ministry", "employer"}
