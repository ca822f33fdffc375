"""A small pure-Python kustomize: the subset deploy/k8s uses, so the checks need no binary.

Supported: ``resources`` (files and directories holding a kustomization), ``namespace``,
``replicas``, ``images`` and ``patches`` in RFC 6902 form (``patch`` inline or ``path``) with a
``target`` of kind and name (a regular expression, as kustomize takes it). Anything else in a
kustomization is refused, so a manifest that starts using more fails here instead of rendering
wrong; tests/deploy/test_k8s.py also compares this renderer's output with ``kubectl kustomize``
where that binary exists.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

Doc = dict[str, Any]
KNOWN = {"apiVersion", "kind", "resources", "namespace", "replicas", "images", "patches"}
# Kinds that live outside any namespace (the ones deploy/k8s uses and their neighbours).
CLUSTER_KINDS = {
    "Namespace",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
}
SCALABLE = {"Deployment", "StatefulSet", "ReplicaSet"}


class UnsupportedKustomization(ValueError):
    """The kustomization uses a field this renderer does not implement."""


def load_docs(path: Path) -> list[Doc]:
    """Return the non-empty YAML documents of ``path``."""
    with path.open() as fh:
        return [d for d in yaml.safe_load_all(fh) if d]


def build(directory: Path) -> list[Doc]:
    """Render the kustomization in ``directory`` into a list of objects."""
    spec = load_docs(directory / "kustomization.yaml")[0]
    unknown = set(spec) - KNOWN
    if unknown:
        raise UnsupportedKustomization(f"{directory}: unsupported fields {sorted(unknown)}")
    objects: list[Doc] = []
    for entry in spec.get("resources", []):
        path = (directory / entry).resolve()
        objects += build(path) if path.is_dir() else load_docs(path)
    objects = copy.deepcopy(objects)
    for patch in spec.get("patches", []):
        apply_patch(directory, patch, objects)
    if "namespace" in spec:
        for obj in objects:
            if obj["kind"] not in CLUSTER_KINDS:
                obj["metadata"]["namespace"] = spec["namespace"]
    for rule in spec.get("replicas", []):
        for obj in objects:
            if obj["kind"] in SCALABLE and obj["metadata"]["name"] == rule["name"]:
                obj["spec"]["replicas"] = rule["count"]
    for rule in spec.get("images", []):
        for obj in objects:
            for container in containers(obj):
                retag(container, rule)
    return objects


def containers(obj: Doc) -> list[Doc]:
    """Return the containers and init containers of a workload's pod template."""
    spec = pod_spec(obj)
    if spec is None:
        return []
    return list(spec.get("containers", [])) + list(spec.get("initContainers", []))


def pod_spec(obj: Doc) -> Doc | None:
    """Return the pod spec of a workload (Deployment, StatefulSet, Job, ...) or None."""
    if obj["kind"] == "Pod":
        return obj["spec"]
    template = obj.get("spec", {}).get("template")
    if obj["kind"] == "CronJob":
        template = obj["spec"]["jobTemplate"]["spec"]["template"]
    return None if template is None else template.get("spec")


def retag(container: Doc, rule: Doc) -> None:
    """Apply one ``images`` rule to a container's image, as kustomize does."""
    image = container["image"]
    name, tag = image, ""
    if "@" in image:
        name, tag = image.split("@", 1)[0], "@" + image.split("@", 1)[1]
    elif ":" in image.rsplit("/", 1)[-1]:
        name, tag = image.rsplit(":", 1)[0], ":" + image.rsplit(":", 1)[1]
    if name != rule["name"]:
        return
    name = str(rule.get("newName", name))
    if "digest" in rule:
        tag = "@" + rule["digest"]
    elif "newTag" in rule:
        tag = ":" + str(rule["newTag"])
    container["image"] = name + tag


def apply_patch(directory: Path, patch: Doc, objects: list[Doc]) -> None:
    """Apply one RFC 6902 patch to every object its target selects."""
    text = patch["patch"] if "patch" in patch else (directory / patch["path"]).read_text()
    ops = yaml.safe_load(text)
    if not isinstance(ops, list):
        raise UnsupportedKustomization(f"{directory}: only RFC 6902 (list) patches are supported")
    target = patch.get("target", {})
    if set(target) - {"kind", "name"}:
        raise UnsupportedKustomization(f"{directory}: target by {sorted(target)} not supported")
    hits = [o for o in objects if selects(target, o)]
    if not hits:
        raise UnsupportedKustomization(f"{directory}: patch target {target} selects nothing")
    for obj in hits:
        for op in ops:
            json_patch(obj, op)


def selects(target: Doc, obj: Doc) -> bool:
    """Tell whether a patch target (kind, name regex anchored at both ends) selects ``obj``."""
    if "kind" in target and target["kind"] != obj["kind"]:
        return False
    return "name" not in target or re.fullmatch(target["name"], obj["metadata"]["name"]) is not None


def json_patch(doc: Doc, op: Doc) -> None:
    """Apply one RFC 6902 operation (add, replace, remove) in place."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
    parent: Any = doc
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = parts[-1]
    kind = op["op"]
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last)
        if kind == "add":
            parent.insert(index, copy.deepcopy(op["value"]))
        elif kind == "replace":
            parent[index] = copy.deepcopy(op["value"])
        elif kind == "remove":
            del parent[index]
        else:
            raise UnsupportedKustomization(f"patch op {kind!r} not supported")
        return
    if kind in ("replace", "remove") and last not in parent:
        raise KeyError(f"{op['path']}: nothing to {kind}")
    if kind in ("add", "replace"):
        parent[last] = copy.deepcopy(op["value"])
    elif kind == "remove":
        del parent[last]
    else:
        raise UnsupportedKustomization(f"patch op {kind!r} not supported")
