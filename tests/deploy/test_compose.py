"""deploy/docker-compose.yml against the Compose Specification's JSON schema, and its layout."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.deploy.manifests import QABILET, ROOT

SCHEMAS = Path(__file__).parent / "schemas"
COMPOSE = ROOT / "deploy" / "docker-compose.yml"


def compose() -> dict[str, Any]:
    with COMPOSE.open() as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / "compose-spec.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def test_the_vendored_schema_is_the_one_its_readme_names() -> None:
    digest = re.search(r"sha256\s+([0-9a-f]{64})", (SCHEMAS / "README.md").read_text())
    assert digest is not None
    assert hashlib.sha256((SCHEMAS / "compose-spec.json").read_bytes()).hexdigest() == digest[1]


def test_the_compose_file_follows_the_compose_specification() -> None:
    errors = [f"{list(e.path)}: {e.message}" for e in validator().iter_errors(compose())]
    assert errors == []


@pytest.mark.parametrize(
    "break_it",
    (
        lambda c: c["services"]["gateway"].update(portz=["8000:8000"]),
        lambda c: c["services"]["learner"].update(depends_on={"mongo-init": {"condition": "x"}}),
        lambda c: c["services"]["mongo1"]["healthcheck"].update(test=5),
    ),
)
def test_the_schema_check_catches_a_broken_file(break_it: Any) -> None:
    data = copy.deepcopy(compose())
    break_it(data)
    assert list(validator().iter_errors(data))


def test_only_the_gateway_publishes_a_port_and_joins_the_public_network() -> None:
    data = compose()
    assert data["networks"]["internal"]["internal"] is True
    published = {name for name, svc in data["services"].items() if svc.get("ports")}
    public = {n for n, svc in data["services"].items() if "public" in svc.get("networks", [])}
    assert published == public == {"gateway"}


def test_each_service_mounts_only_its_own_keys() -> None:
    data = compose()
    for name in QABILET:
        svc = data["services"][name]
        assert svc["environment"]["QABILET_SERVICE"] == name
        keys = [v for v in svc["volumes"] if isinstance(v, dict) and v["source"] == "keys"]
        assert [(k["target"], k["read_only"], k["volume"]["subpath"]) for k in keys] == [
            (svc["environment"]["QABILET_KEYS_DIR"], True, name)
        ]
    matcher = data["services"]["matcher"]
    targets = [v.split(":")[1] for v in matcher["volumes"] if isinstance(v, str)]
    assert matcher["environment"]["QABILET_DATA_DIR"] in targets


def test_the_gateway_in_compose_believes_no_forwarding_header() -> None:
    # Compose publishes the gateway itself, no proxy in front: X-Forwarded-For is a client's word.
    environment = compose()["services"]["gateway"]["environment"]
    assert int(environment.get("QABILET_TRUSTED_PROXIES", 0)) == 0
