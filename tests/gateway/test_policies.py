"""The policy tables: every public route has exactly one policy, and admin passes them all."""

from __future__ import annotations

from flask import Flask

from gateway.policies import ADMIN, PAGES, Policy
from gateway.proxy import API_PREFIX
from gateway.routes import OWN_ROUTES, ROUTES


def test_every_public_route_of_the_app_is_in_a_policy_table(gateway: Flask) -> None:
    tabled = {(r.method, API_PREFIX + r.rule) for r in ROUTES} | set(OWN_ROUTES)
    served = {
        (method, rule.rule)
        for rule in gateway.url_map.iter_rules()
        if rule.rule.startswith(API_PREFIX + "/")
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    assert served == tabled


def test_admin_passes_every_policy_but_those_about_the_callers_own_profile() -> None:
    policies: list[Policy] = [r.policy for r in ROUTES] + [*OWN_ROUTES.values(), *PAGES.values()]
    refused = {p.who for p in policies if not p.admin}
    assert refused == {"a learner", "an employer", "a training provider"}
    for policy in policies:
        assert policy.admin or ADMIN not in policy.roles
