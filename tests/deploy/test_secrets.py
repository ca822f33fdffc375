"""Secrets: the pods reference exactly what make_secrets.py makes; each mounts one private key."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from services.common.identity import CALLERS, Keyring
from tests.deploy.manifests import (
    K8S,
    K8S_VERSION,
    OVERLAYS,
    QABILET,
    ROOT,
    Doc,
    containers,
    find,
    pod_spec,
    render,
    workloads,
)


def references(objects: list[Doc]) -> dict[str, set[str]]:
    """Return secret name -> the keys the pods read from it (empty: the whole Secret)."""
    refs: dict[str, set[str]] = {}
    for obj in workloads(objects):
        for c in containers(obj):
            for var in c.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    refs.setdefault(ref["name"], set()).add(ref["key"])
        for volume in (pod_spec(obj) or {}).get("volumes", []):
            for source in volume.get("projected", {}).get("sources", []):
                if "secret" in source:
                    refs.setdefault(source["secret"]["name"], set())
            if "secret" in volume:
                refs.setdefault(volume["secret"]["secretName"], set())
    return refs


def by_name(docs: list[Doc]) -> dict[str, dict[str, bytes]]:
    """Return secret name -> its decoded entries (data or stringData)."""
    out = {}
    for doc in docs:
        entries = {k: base64.b64decode(v) for k, v in (doc.get("data") or {}).items()}
        entries |= {k: v.encode() for k, v in (doc.get("stringData") or {}).items()}
        out[doc["metadata"]["name"]] = entries
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Doc], Path]:
    operator = tmp_path_factory.mktemp("secrets") / "operator.key"
    script = K8S / "make_secrets.py"
    out = subprocess.run(
        [sys.executable, str(script), "--operator-key", str(operator)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return [d for d in yaml.safe_load_all(out) if d], operator


def example() -> list[Doc]:
    with (K8S / "secrets.example.yaml").open() as fh:
        return [d for d in yaml.safe_load_all(fh) if d]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_secret_a_pod_reads_is_in_the_example_and_in_what_the_script_makes(
    overlay: str, generated: tuple[list[Doc], Path]
) -> None:
    refs = references(render(overlay))
    for docs in (example(), generated[0]):
        secrets = by_name(docs)
        assert set(refs) == set(secrets)
        for name, keys in refs.items():
            assert keys <= set(secrets[name]), name
    for doc in (*example(), *generated[0]):
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_example_holds_placeholders_only() -> None:
    for name, entries in by_name(example()).items():
        for entry, value in entries.items():
            if entry != "email":
                assert value.startswith(b"PLACEHOLDER"), (name, entry)
            assert b"PRIVATE KEY" not in value


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_mounts_its_own_private_key_and_every_public_key(
    overlay: str, generated: tuple[list[Doc], Path], tmp_path: Path
) -> None:
    secrets = by_name(generated[0])
    objects = render(overlay)
    for name in QABILET:
        kind = "StatefulSet" if name == "matcher" else "Deployment"
        spec = pod_spec(find(objects, kind, name)) or {}
        (keys,) = [v for v in spec["volumes"] if v["name"] == "keys"]
        folder = tmp_path / overlay / name
        folder.mkdir(parents=True)
        for source in keys["projected"]["sources"]:
            for file, content in secrets[source["secret"]["name"]].items():
                (folder / file).write_bytes(content)
        # What services/common/identity.py reads from QABILET_KEYS_DIR in that pod.
        ring = Keyring.load(folder)
        assert set(ring.private) == {name}
        assert set(ring.public) == set(CALLERS)


def test_generated_secrets_are_fresh_usable_and_the_operator_key_stays_outside(
    generated: tuple[list[Doc], Path],
) -> None:
    docs, operator = generated
    secrets = by_name(docs)
    assert len(secrets["qabilet-jwt"]["secret"]) >= 32
    assert len(secrets["qabilet-admin"]["password"]) >= 8
    assert not any("operator.key" in entries for entries in secrets.values())
    assert operator.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert operator.stat().st_mode & 0o077 == 0
    again = subprocess.run(
        [sys.executable, str(K8S / "make_secrets.py")], capture_output=True, check=True, cwd=ROOT
    ).stdout
    assert by_name(list(yaml.safe_load_all(again)))["qabilet-jwt"] != secrets["qabilet-jwt"]
