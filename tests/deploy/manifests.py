"""The rendered overlays of deploy/k8s and lookups over them, shared by the deploy tests."""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any

from tests.deploy.kustomize import Doc, build, containers, pod_spec

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("laptop", "production")
# The API version the objects are validated against (kubernetes-validate bundles its schemas).
K8S_VERSION = "1.32"
QABILET = ("gateway", "learner", "jobs", "matcher")
NAME = "app.kubernetes.io/name"


@cache
def _render(overlay: str) -> tuple[Doc, ...]:
    return tuple(build(K8S / "overlays" / overlay))


def render(overlay: str) -> list[Doc]:
    """Return a fresh copy of one overlay's objects (rendered once per test session)."""
    return copy.deepcopy(list(_render(overlay)))


def find(objects: list[Doc], kind: str, name: str) -> Doc:
    """Return the one object of ``kind`` called ``name``."""
    hits = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(hits) == 1, f"{kind}/{name}: {len(hits)} objects"
    return hits[0]


def workloads(objects: list[Doc]) -> list[Doc]:
    """Return every object that runs pods."""
    return [o for o in objects if pod_spec(o) is not None]


def pod_labels(obj: Doc) -> dict[str, str]:
    """Return the labels of a workload's pods."""
    template = obj["spec"]["template"]
    labels: dict[str, str] = template["metadata"]["labels"]
    return labels


def matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Tell whether a label selector (matchLabels, matchExpressions) selects ``labels``."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def env_of(container: Doc, objects: list[Doc]) -> dict[str, str]:
    """Return a container's environment: its ConfigMaps' data, then its own ``env`` values."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(find(objects, "ConfigMap", source["configMapRef"]["name"])["data"])
    for var in container.get("env", []):
        env[var["name"]] = var.get(
            "value", "<from " + next(iter(var.get("valueFrom", {})), "") + ">"
        )
    return env


def image_tag(image: str) -> str | None:
    """Return the tag (or digest) of an image reference, None when it has neither."""
    if "@" in image:
        return image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]
    return last.rsplit(":", 1)[1] if ":" in last else None


def members(uri: str) -> list[str]:
    """Return the hosts of a mongodb:// URI."""
    found = re.match(r"mongodb://([^/?]+)", uri)
    assert found, uri
    return found.group(1).split(",")


__all__ = ["Doc", "containers", "pod_spec"]
