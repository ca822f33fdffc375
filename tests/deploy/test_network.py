"""NetworkPolicies: default deny, and exactly the calls services/common/identity.py GRANTS."""

from __future__ import annotations

from typing import Any

import pytest

from services.common.identity import GRANTS
from tests.deploy.manifests import (
    NAME,
    OVERLAYS,
    QABILET,
    Doc,
    containers,
    find,
    matches,
    pod_labels,
    render,
    workloads,
)

Edge = tuple[str, str, int]
INFRA = {
    *((name, "mongo", 27017) for name in QABILET),
    ("gateway", "redis", 6379),
    ("mongo", "mongo", 27017),
    ("mongo-init", "mongo", 27017),
}


def expected_edges(objects: list[Doc]) -> set[Edge]:
    """Return the calls the code makes: every granted caller -> service, and the stores."""
    edges = set(INFRA)
    for service, callers in GRANTS.items():
        port = find(objects, "Service", service)["spec"]["ports"][0]["port"]
        edges |= {(caller, service, port) for caller in callers if caller in QABILET}
    return edges


def policies(objects: list[Doc]) -> list[Doc]:
    return [o for o in objects if o["kind"] == "NetworkPolicy"]


def selecting(objects: list[Doc], labels: dict[str, str], direction: str) -> list[Doc]:
    """Return the policies that select pods with ``labels`` for ``direction``."""
    return [
        p
        for p in policies(objects)
        if direction in p["spec"]["policyTypes"] and matches(p["spec"]["podSelector"], labels)
    ]


def port_ok(rule: dict[str, Any], port: int) -> bool:
    ports = rule.get("ports")
    return not ports or any(
        p.get("port") == port and p.get("protocol", "TCP") == "TCP" for p in ports
    )


def peer_ok(peers: list[dict[str, Any]] | None, labels: dict[str, str]) -> bool:
    """Tell whether a from/to list admits a pod of this namespace with ``labels``."""
    if peers is None:
        return True
    return any(
        set(peer) == {"podSelector"} and matches(peer["podSelector"], labels) for peer in peers
    )


def allowed(objects: list[Doc], src: dict[str, str], dst: dict[str, str], port: int) -> bool:
    """Tell whether the policies let a pod ``src`` open TCP ``port`` on a pod ``dst``."""
    out = selecting(objects, src, "Egress")
    into = selecting(objects, dst, "Ingress")
    egress = not out or any(
        port_ok(r, port) and peer_ok(r.get("to"), dst)
        for p in out
        for r in p["spec"].get("egress", [])
    )
    ingress = not into or any(
        port_ok(r, port) and peer_ok(r.get("from"), src)
        for p in into
        for r in p["spec"].get("ingress", [])
    )
    return egress and ingress


def actual_edges(objects: list[Doc]) -> set[Edge]:
    """Return every (source, destination, port) among the workloads the policies admit."""
    pods = {pod_labels(w)[NAME]: pod_labels(w) for w in workloads(objects)}
    ports = {
        pod_labels(w)[NAME]: {p["containerPort"] for c in containers(w) for p in c.get("ports", [])}
        for w in workloads(objects)
    }
    return {
        (src, dst, port)
        for src, src_labels in pods.items()
        for dst, dst_labels in pods.items()
        for port in ports[dst]
        if allowed(objects, src_labels, dst_labels, port)
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_everything_is_denied_unless_a_policy_allows_it(overlay: str) -> None:
    objects = render(overlay)
    deny = find(objects, "NetworkPolicy", "default-deny")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    for workload in workloads(objects):
        own = [
            p
            for p in policies(objects)
            if p["spec"]["podSelector"] and matches(p["spec"]["podSelector"], pod_labels(workload))
        ]
        assert own, f"no policy of its own selects {workload['metadata']['name']}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_reach_exactly_what_the_grants_and_the_stores_need(overlay: str) -> None:
    objects = render(overlay)
    assert actual_edges(objects) == expected_edges(objects)


def test_the_grants_are_what_the_policies_were_written_for() -> None:
    # If a service starts calling another, GRANTS changes and the policy must follow (above).
    calls = {(c, s) for s, callers in GRANTS.items() for c in callers if c in QABILET}
    assert calls == {
        ("gateway", "learner"),
        ("gateway", "jobs"),
        ("gateway", "matcher"),
        ("matcher", "learner"),
        ("matcher", "jobs"),
        ("learner", "jobs"),
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_gateway_takes_traffic_from_outside_the_namespace(overlay: str) -> None:
    objects = render(overlay)
    for policy in policies(objects):
        for rule in policy["spec"].get("ingress", []):
            outside = [p for p in rule.get("from", []) if set(p) != {"podSelector"}]
            if outside:
                assert policy["spec"]["podSelector"] == {"matchLabels": {NAME: "gateway"}}
                assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]
        for rule in policy["spec"].get("egress", []):
            outside = [p for p in rule.get("to", []) if set(p) != {"podSelector"}]
            # The one way out: name lookups at the cluster DNS.
            for peer in outside:
                assert peer["podSelector"] == {"matchLabels": {"k8s-app": "kube-dns"}}
                assert {p["port"] for p in rule["ports"]} == {53}


def test_the_reachability_check_notices_a_missing_and_an_extra_rule() -> None:
    objects = render("laptop")
    jobs = find(objects, "NetworkPolicy", "jobs")
    jobs["spec"]["ingress"][0]["from"].pop()  # the learner may no longer read the jobs feed
    assert ("learner", "jobs", 8002) in expected_edges(objects) - actual_edges(objects)
    redis = find(objects, "NetworkPolicy", "redis")
    redis["spec"]["ingress"][0]["from"].append({"podSelector": {"matchLabels": {NAME: "matcher"}}})
    matcher = find(objects, "NetworkPolicy", "matcher")
    matcher["spec"]["egress"].append({"to": [{"podSelector": {}}]})
    assert ("matcher", "redis", 6379) in actual_edges(objects) - expected_edges(objects)
