"""The caller-identity kit: keys, tokens, the grants table, the test client's default caller."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from services.common import identity
from services.common.errors import Unauthorized


def test_generated_keys_are_private_and_load(tmp_path: Path) -> None:
    made = identity.generate_keys(tmp_path / "keys")
    assert sorted(made) == sorted(identity.CALLERS)
    assert identity.generate_keys(tmp_path / "keys") == []  # idempotent: keys are kept
    assert (tmp_path / "keys" / "gateway.key").stat().st_mode & 0o077 == 0
    ring = identity.Keyring.load(tmp_path / "keys")
    assert set(ring.public) == set(ring.private) == set(identity.CALLERS)


def test_a_token_is_accepted_only_by_its_audience(tmp_path: Path) -> None:
    identity.generate_keys(tmp_path)
    ring = identity.Keyring.load(tmp_path)
    token = identity.Signer(ring, "matcher", 60).token("learner")
    assert identity.Verifier("learner", ring).caller(token) == "matcher"
    with pytest.raises(Unauthorized):
        identity.Verifier("jobs", ring).caller(token)


def test_a_service_with_only_public_keys_cannot_sign(tmp_path: Path) -> None:
    identity.generate_keys(tmp_path / "all")
    identity.split_per_caller(tmp_path / "all", tmp_path / "split")
    ring = identity.Keyring.load(tmp_path / "split" / "learner")
    assert set(ring.private) == {"learner"} and set(ring.public) == set(identity.CALLERS)
    with pytest.raises(identity.IdentityError):
        identity.Signer(ring, "gateway", 60)


def test_missing_keys_stop_a_real_start_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(identity.IdentityError, match="QABILET_KEYS_DIR"):
        identity.Keyring.load(tmp_path / "nowhere")


@pytest.mark.parametrize("service", ["learner", "jobs", "matcher"])
def test_every_grant_names_a_real_route(tmp_path: Path, service: str) -> None:
    app_module = importlib.import_module(f"services.{service}.app")
    settings_module = importlib.import_module(f"services.{service}.settings")
    extra = {"embedder": "fake"} if service == "matcher" else {}
    settings = settings_module.Settings.from_env(env={}, data_dir=tmp_path, testing=True, **extra)
    app = app_module.create_app(settings)
    routes = {
        (method, rule.rule) for rule in app.url_map.iter_rules() for method in (rule.methods or ())
    }
    for caller, grant in identity.GRANTS[service].items():
        if grant != identity.ANY:
            assert set(grant) <= routes, (caller, set(grant) - routes)


def test_the_test_client_signs_as_the_gateway_unless_told_otherwise(tmp_path: Path) -> None:
    from services.jobs.app import create_app
    from services.jobs.settings import Settings

    app = create_app(Settings.from_env(env={}, data_dir=tmp_path, testing=True))
    client = app.test_client()
    assert client.get("/employers").status_code == 200
    unsigned = client.get("/employers", headers={"Authorization": None})
    assert unsigned.status_code == 401
    assert unsigned.mimetype == "application/problem+json"
    assert client.get("/healthz", headers={"Authorization": None}).status_code == 200
