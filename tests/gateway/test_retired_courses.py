"""Retired courses through the gateway: only a provider or admin may list them."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.gateway.fresh import unique
from tests.gateway.world import API, World, ok


def test_include_retired_is_forwarded_only_for_providers_and_admin(
    client: FlaskClient, world: World
) -> None:
    provider = world["provider"]
    title = unique("Retired course")
    course = ok(
        client.post(
            f"{API}/courses",
            headers=provider.headers,
            json={"title": title, "language": "ru", "hours": 8, "level": "beginner"},
        ),
        201,
    )
    ok(
        client.patch(
            f"{API}/courses/{course['id']}", headers=provider.headers, json={"retired": True}
        )
    )
    query = {"q": title, "include_retired": "true"}
    seen = {}
    for role in ("anonymous", "learner", "employer", "ministry", "provider", "provider2", "admin"):
        headers = world[role].headers if role != "anonymous" else {}
        seen[role] = ok(client.get(f"{API}/courses", headers=headers, query_string=query))["total"]
    assert seen == {
        "anonymous": 0, "learner": 0, "employer": 0, "ministry": 0,
        "provider": 1, "provider2": 1, "admin": 1,
    }  # fmt: skip
    # By default nobody lists it, and it still answers by id and in the provider's own list.
    assert (
        ok(client.get(f"{API}/courses", headers=provider.headers, query_string={"q": title}))[
            "total"
        ]
        == 0
    )
    assert ok(client.get(f"{API}/courses/{course['id']}"))["retired"] is True
    own = ok(client.get(f"{API}/providers/astana-hub/courses", headers=provider.headers))
    assert course["id"] in {c["id"] for c in own["items"]}
