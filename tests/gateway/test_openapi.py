"""The public OpenAPI document, its HTML rendering, and schemathesis over it (no 5xx)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings

from gateway.routes import ROUTES
from gateway.specs import shape
from tests.gateway.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.gateway.world import API, World, ok, sign_in

# No shrinking: a failure is reported as found, which keeps a failing run short.
FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)


@pytest.fixture(scope="module")
def doc(gateway: Flask, world: World) -> dict[str, Any]:
    return ok(gateway.test_client().get("/openapi.json"))


def operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}


def test_document_holds_exactly_the_exposed_routes(doc: dict[str, Any]) -> None:
    ops = operations(doc)
    assert all(path.startswith(API + "/") for _, path in ops)
    exposed = {(r.method, shape(API + r.rule)) for r in ROUTES if "reports" not in r.rule}
    documented = {(m, shape(p)) for m, p in ops if "/reports/" not in p}
    gateway_own = (
        API + "/auth",
        API + "/accounts",
        API + "/ministry",
        API + "/access-log",
        API + "/me/",
    )
    own = {(m, shape(p)) for m, p in ops if p.startswith(gateway_own)}
    own.add(("GET", API + "/me"))
    assert documented - own == exposed
    assert ("GET", API + "/reports/funnel") in ops
    # internal routes of the services stay internal
    for method, path in [("PUT", API + "/learners/{}/extracted-skills"), ("GET", API + "/changes")]:
        assert (method, path) not in {(m, shape(p)) for m, p in ops}


def test_document_declares_bearer_auth_and_open_taxonomy(doc: dict[str, Any]) -> None:
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    extract = doc["paths"][API + "/skills/extract"]["post"]
    assert {} in extract["security"]
    learner = doc["paths"][API + "/learners/{learner_id}"]["get"]
    assert learner["security"] == [{"bearerAuth": []}]
    assert {"401", "403", "503"} <= set(learner["responses"])
    refs = str(doc["paths"])
    for name in {r.split("/")[-1] for r in _refs(doc["paths"])}:
        assert name in doc["components"]["schemas"], name
    assert "LearnerCreate" in refs and "VacancyRead" in refs


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_docs_page_lists_every_operation(client: FlaskClient, doc: dict[str, Any]) -> None:
    resp = client.get("/docs")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    for method, path in operations(doc):
        assert f">{method}</span> <code>{path}</code>" in html
    assert "learner_id" in html and "Who:" in html
    assert "cdn" not in html.lower() and "<script" not in html


def test_public_api_never_answers_5xx(gateway: Flask, world: World) -> None:
    # schemathesis' pytest fixture loader does not run under pytest 9, so each operation's
    # strategy is driven by hypothesis here (20 examples per operation, as admin).
    token = sign_in(gateway.test_client(), ADMIN_EMAIL, ADMIN_PASSWORD)
    admin = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/openapi.json", gateway)
    failures: list[str] = []
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        tried += 1

        @FUZZ
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            # Signing out would end the shared admin token; that route is fuzzed without one.
            headers = {} if case.path == API + "/auth/logout" else admin
            response = case.call(headers=headers)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
            )

        try:
            check()
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    assert tried >= 40
    assert not failures, "\n".join(failures)
