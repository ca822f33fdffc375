"""deploy/k8s: each overlay renders, is valid against the Kubernetes schemas and is hardened."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import shutil
import subprocess

import kubernetes_validate
import pytest
import yaml

from tests.deploy.kustomize import build
from tests.deploy.manifests import (
    K8S,
    K8S_VERSION,
    NAME,
    OVERLAYS,
    QABILET,
    containers,
    env_of,
    find,
    image_tag,
    matches,
    members,
    pod_labels,
    pod_spec,
    render,
    workloads,
)

# Read by gunicorn, Python, Hugging Face or matplotlib, not by the Qabilet settings.
FOREIGN_ENV = {"HOME", "XDG_CACHE_HOME", "MPLCONFIGDIR", "HF_HUB_OFFLINE", "FORWARDED_ALLOW_IPS"}
FOREIGN_ENV |= {"GUNICORN_CMD_ARGS"}
# The pod's own name, only to give each matcher replica a database of its own.
FOREIGN_ENV |= {"POD_NAME"}
SETTINGS = {
    "gateway": "gateway.settings",
    "learner": "services.learner.settings",
    "jobs": "services.jobs.settings",
    "matcher": "services.matcher.settings",
}


def key(obj: dict) -> tuple[str, str | None, str]:
    return obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"]


@pytest.mark.parametrize("overlay", ("base", *(f"overlays/{o}" for o in OVERLAYS)))
def test_the_python_renderer_agrees_with_kubectl_kustomize(overlay: str) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("no kubectl on this machine: the pure-Python renderer stands alone")
    out = subprocess.run(
        [kubectl, "kustomize", str(K8S / overlay)], capture_output=True, text=True, check=True
    ).stdout
    theirs = {key(d): d for d in yaml.safe_load_all(out) if d}
    ours = {key(d): d for d in build(K8S / overlay)}
    assert sorted(ours) == sorted(theirs)
    assert [k for k in ours if ours[k] != theirs[k]] == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_against_the_kubernetes_schemas(overlay: str) -> None:
    problems = []
    for obj in render(overlay):
        try:
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            problems.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message}")
    assert problems == []


def test_the_schema_check_catches_a_misspelt_field() -> None:
    deployment = copy.deepcopy(find(render("laptop"), "Deployment", "gateway"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readynessProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)
    deployment = copy.deepcopy(find(render("laptop"), "Deployment", "gateway"))
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_non_root_read_only_and_without_privileges(overlay: str) -> None:
    for obj in workloads(render(overlay)):
        pod = pod_spec(obj) or {}
        pod_ctx = pod.get("securityContext", {})
        assert pod_ctx.get("seccompProfile", {}).get("type") == "RuntimeDefault", obj
        assert pod.get("automountServiceAccountToken") is False, obj["metadata"]["name"]
        for c in containers(obj):
            ctx = {**pod_ctx, **c.get("securityContext", {})}
            where = f"{obj['metadata']['name']}/{c['name']}"
            assert ctx.get("runAsNonRoot") is True, where
            assert isinstance(ctx.get("runAsUser"), int) and ctx["runAsUser"] > 0, where
            assert c["securityContext"].get("readOnlyRootFilesystem") is True, where
            assert c["securityContext"].get("allowPrivilegeEscalation") is False, where
            assert c["securityContext"].get("capabilities", {}).get("drop") == ["ALL"], where
            assert not c["securityContext"].get("capabilities", {}).get("add"), where
            # A read-only root still needs a writable /tmp (gunicorn, mongosh, Python).
            assert "/tmp" in {m["mountPath"] for m in c.get("volumeMounts", [])}, where


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_has_requests_and_limits_and_long_runners_have_probes(
    overlay: str,
) -> None:
    for obj in workloads(render(overlay)):
        for c in containers(obj):
            where = f"{obj['metadata']['name']}/{c['name']}"
            for part in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(c.get("resources", {}).get(part, {})), where
            if obj["kind"] in ("Deployment", "StatefulSet"):
                assert "readinessProbe" in c and "livenessProbe" in c, where
            if c["name"] in QABILET:
                assert c["readinessProbe"]["httpGet"]["path"] == "/readyz", where
                assert c["livenessProbe"]["httpGet"]["path"] == "/healthz", where


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_image_is_pinned_to_a_tag(overlay: str) -> None:
    for obj in workloads(render(overlay)):
        for c in containers(obj):
            tag = image_tag(c["image"])
            assert tag not in (None, "latest"), c["image"]
            if not c["image"].startswith(("qabilet", "registry.")):
                # Third-party images name a patch release, not a moving major tag (mongo:7).
                assert tag.count(".") >= 2, c["image"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_gateway_is_exposed(overlay: str) -> None:
    objects = render(overlay)
    for svc in (o for o in objects if o["kind"] == "Service"):
        assert svc["spec"].get("type", "ClusterIP") == "ClusterIP", svc["metadata"]["name"]
    ingresses = [o for o in objects if o["kind"] == "Ingress"]
    assert [i["metadata"]["name"] for i in ingresses] == ["gateway"]
    backends = {
        p["backend"]["service"]["name"]
        for i in ingresses
        for rule in i["spec"]["rules"]
        for p in rule["http"]["paths"]
    }
    assert backends == {"gateway"}
    assert not any(o["kind"] == "Route" or "hostNetwork" in (pod_spec(o) or {}) for o in objects)
    for obj in workloads(objects):
        for c in containers(obj):
            assert all("hostPort" not in p for p in c.get("ports", [])), c["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_stateless_services_have_an_autoscaler_and_a_disruption_budget(overlay: str) -> None:
    objects = render(overlay)
    for name in ("gateway", "learner", "jobs"):
        deployment = find(objects, "Deployment", name)
        hpa = find(objects, "HorizontalPodAutoscaler", name)
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert hpa["spec"]["minReplicas"] == deployment["spec"]["replicas"]
        assert any(m["resource"]["name"] == "cpu" for m in hpa["spec"]["metrics"])
    for obj in workloads(objects):
        if obj["kind"] in ("Deployment", "StatefulSet") and obj["metadata"]["name"] != "redis":
            budgets = [
                p
                for p in objects
                if p["kind"] == "PodDisruptionBudget"
                and p["spec"]["selector"]["matchLabels"].items() <= pod_labels(obj).items()
            ]
            assert len(budgets) == 1, obj["metadata"]["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_matcher_keeps_its_snapshot_on_a_claimed_volume(overlay: str) -> None:
    objects = render(overlay)
    matcher = find(objects, "StatefulSet", "matcher")
    governing = find(objects, "Service", matcher["spec"]["serviceName"])
    assert governing["spec"]["clusterIP"] == "None"
    (container,) = matcher["spec"]["template"]["spec"]["containers"]
    data_dir = env_of(container, objects)["QABILET_DATA_DIR"]
    claims = {t["metadata"]["name"] for t in matcher["spec"]["volumeClaimTemplates"]}
    mounted = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounted[data_dir] in claims
    # The gateway reaches every replica through one balanced Service.
    assert env_of(container, objects)["QABILET_MATCHER_URL"] == "http://matcher:8003"
    assert find(objects, "Service", "matcher")["spec"]["selector"] == {NAME: "matcher"}


@pytest.mark.parametrize(("overlay", "size"), (("laptop", 1), ("production", 3)))
def test_mongo_is_one_replica_set_whose_members_the_services_and_the_init_job_agree_on(
    overlay: str, size: int
) -> None:
    objects = render(overlay)
    mongo = find(objects, "StatefulSet", "mongo")
    assert mongo["spec"]["replicas"] == size
    command = mongo["spec"]["template"]["spec"]["containers"][0]["command"]
    replica_set = command[command.index("--replSet") + 1]
    expected = [f"mongo-{i}.{mongo['spec']['serviceName']}:27017" for i in range(size)]
    for obj in workloads(objects):
        for c in containers(obj):
            env = env_of(c, objects)
            if "MONGODB_URI" in env:
                assert members(env["MONGODB_URI"]) == expected, c["name"]
                assert f"replicaSet={replica_set}" in env["MONGODB_URI"]
    (init,) = find(objects, "Job", "mongo-init")["spec"]["template"]["spec"]["containers"]
    assert env_of(init, objects)["MONGO_MEMBERS"].split(",") == expected
    assert find(objects, "Service", mongo["spec"]["serviceName"])["spec"]["clusterIP"] == "None"


def test_the_laptop_runs_one_of_everything_and_production_spreads_replicas() -> None:
    laptop = render("laptop")
    for obj in workloads(laptop):
        if obj["kind"] in ("Deployment", "StatefulSet"):
            assert obj["spec"]["replicas"] == 1, obj["metadata"]["name"]
    assert {h["spec"]["maxReplicas"] for h in laptop if h["kind"] == "HorizontalPodAutoscaler"} == {
        1
    }
    production = render("production")
    for name in (*QABILET, "mongo"):
        kind = "StatefulSet" if name in ("matcher", "mongo") else "Deployment"
        obj = find(production, kind, name)
        assert obj["spec"]["replicas"] >= 3, name
        anti = obj["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
        assert anti, name
    ingress = find(production, "Ingress", "gateway")
    assert ingress["spec"]["tls"][0]["hosts"] == [ingress["spec"]["rules"][0]["host"]]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_qabilet_variable_the_manifests_set_is_a_real_setting(overlay: str) -> None:
    objects = render(overlay)
    for obj in workloads(objects):
        for c in containers(obj):
            if c["name"] not in QABILET:
                continue
            module = importlib.import_module(SETTINGS[c["name"]])
            declared = {f.metadata.get("env") for f in dataclasses.fields(module.Settings)}
            unknown = set(env_of(c, objects)) - declared - FOREIGN_ENV
            assert unknown == set(), c["name"]
            service = env_of(c, objects)["QABILET_SERVICE"]
            assert service == c["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_gateway_limits_through_the_redis_service(overlay: str) -> None:
    objects = render(overlay)
    (gateway,) = find(objects, "Deployment", "gateway")["spec"]["template"]["spec"]["containers"]
    storage = env_of(gateway, objects)["QABILET_RATELIMIT_STORAGE"]
    assert storage.startswith("redis://")
    host, port = storage.removeprefix("redis://").split("/")[0].split(":")
    service = find(objects, "Service", host)
    assert int(port) in {p["port"] for p in service["spec"]["ports"]}
    assert service["spec"]["selector"] == {NAME: "redis"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_matcher_replica_follows_the_feeds_into_its_own_database(overlay: str) -> None:
    objects = render(overlay)
    (matcher,) = find(objects, "StatefulSet", "matcher")["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e for e in matcher["env"]}
    assert "$(POD_NAME)" in env["QABILET_DB_NAME"]["value"]
    assert env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_gateway_believes_one_forwarded_hop_and_only_the_ingress_controller_reaches_it(
    overlay: str,
) -> None:
    objects = render(overlay)
    deployment = find(objects, "Deployment", "gateway")
    (gateway,) = deployment["spec"]["template"]["spec"]["containers"]
    assert env_of(gateway, objects)["QABILET_TRUSTED_PROXIES"] == "1"
    # One trusted hop is safe only if that hop is every caller: policies add up, so each one
    # selecting the gateway's pods may admit the controller's namespace and nobody else.
    controller = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}
    }
    selecting = [
        p
        for p in objects
        if p["kind"] == "NetworkPolicy"
        and matches(p["spec"]["podSelector"], pod_labels(deployment))
    ]
    rules = [rule for p in selecting for rule in p["spec"].get("ingress", [])]
    assert rules and all(rule["from"] == [controller] for rule in rules)


def test_the_base_trusts_no_forwarded_hop_until_an_overlay_says_how_many() -> None:
    objects = build(K8S / "base")
    (gateway,) = find(objects, "Deployment", "gateway")["spec"]["template"]["spec"]["containers"]
    assert "QABILET_TRUSTED_PROXIES" not in env_of(gateway, objects)
