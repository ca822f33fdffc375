"""The runtime/dev split: the image gets requirements.txt only, and it is enough to run."""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from tests.deploy.manifests import ROOT

# Test, lint, load and benchmark tooling that must never reach the production image.
DEV_TOOLS = {
    "pytest",
    "pytest-xdist",
    "hypothesis",
    "schemathesis",
    "playwright",
    "ruff",
    "mypy",
    "locust",
    "mongomock",
    "kubernetes-validate",
    "jsonschema",
    "requests",
    "matplotlib",
    "psutil",
}
# Code that only dev tooling runs: benchmarks (make bench/scale) and the load test (make load).
DEV_CODE = ("services/matcher/bench/", "scripts/load/")


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """Return name -> pinned version of a requirements file (``-r`` lines skipped)."""
    out = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", line
            out[norm(req.name)] = spec.version
    return out


def closure(names: set[str]) -> set[str]:
    """Return the distributions ``names`` pull in (installed metadata, no extras but named)."""
    seen: set[str] = set()
    extras = {
        norm(Requirement(line.split("#")[0]).name): frozenset(
            Requirement(line.split("#")[0]).extras
        )
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    }
    stack = [(n, extras.get(n, frozenset())) for n in names]
    while stack:
        name, wanted = stack.pop()
        if name in seen and not wanted:
            continue
        seen.add(name)
        for line in metadata.distribution(name).requires or []:
            req = Requirement(line)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in {"", *wanted}):
                stack.append((norm(req.name), frozenset(req.extras)))
    return seen


def test_no_dev_tool_is_a_runtime_requirement() -> None:
    runtime = set(pins(ROOT / "requirements.txt"))
    dev = set(pins(ROOT / "requirements-dev.txt"))
    assert runtime & DEV_TOOLS == set()
    assert DEV_TOOLS <= dev
    assert runtime & dev == set()
    assert (ROOT / "requirements-dev.txt").read_text().count("-r requirements.txt") == 1
    # Nor does the runtime pull one in through its own dependencies.
    assert closure(runtime) & DEV_TOOLS == set()


def test_every_pin_is_the_locked_version() -> None:
    lock = pins(ROOT / "requirements.lock")
    for path in ("requirements.txt", "requirements-dev.txt"):
        for name, version in pins(ROOT / path).items():
            assert lock.get(name) == version, f"{path}: {name}=={version}, lock {lock.get(name)}"


def test_the_runtime_requirements_provide_everything_the_services_import() -> None:
    provides = metadata.packages_distributions()
    runtime = closure(set(pins(ROOT / "requirements.txt")))
    missing = {}
    for folder in ("services", "gateway", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(DEV_CODE):
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in ("services", "gateway", "scripts"):
                        continue
                    dists = {norm(d) for d in provides.get(top, [])}
                    if not dists & runtime:
                        missing.setdefault(top, rel)
    assert missing == {}


def test_the_image_installs_the_runtime_only_and_runs_as_nobody_in_particular() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    installs = re.findall(r"pip install[^\n]*?-r\s+(\S+)", dockerfile)
    assert installs == ["requirements.txt"]
    assert "requirements-dev" not in dockerfile
    copied = re.findall(r"^COPY\s+(\S+)", dockerfile, flags=re.M)
    assert not any(c.startswith("tests") or c == "." for c in copied)
    user = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.M)
    assert user and user[-1] not in ("root", "0")
    ignored = (ROOT / "deploy" / "Dockerfile.dockerignore").read_text().split()
    assert {"tests", ".venv", "var"} <= set(ignored)


def test_make_install_installs_the_dev_requirements_under_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("$(STAMP):", 1)[1].split("\n\n", 1)[0]
    assert "requirements-dev.txt" in recipe.splitlines()[0]
    assert "$(PIP) install --quiet -r requirements-dev.txt -c requirements.lock" in recipe
    assert "-r requirements.txt" not in recipe
