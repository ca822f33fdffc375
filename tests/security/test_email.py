"""Finding 5: a learner profile's email is the account's, and one rule decides what an email is.

Through the live gateway (gunicorn) in front of the live services: nobody can put another
person's address on a profile at registration or later, so its owner can still register, and
the gateway and the learner service accept and refuse exactly the same addresses.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.gateway.world import World, valid_bin
from tests.security.lone_gateway import API, PASSWORD, Answer, Client, token_of

pytestmark = pytest.mark.slow

PROFILE = {"name": "Aigerim Sadykova", "region": "astana", "programme": "ai-sana"}


@pytest.fixture
def gw(live_gateway: str) -> Client:
    return Client(live_gateway)


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.kz"


def register(gw: Client, email: str, profile: dict[str, Any], role: str = "learner") -> Answer:
    return gw.request(
        "POST",
        f"{API}/auth/register",
        body={"role": role, "email": email, "password": PASSWORD, "profile": profile},
    )


def fields(answer: Answer) -> list[str]:
    return [e["field"] for e in answer.body.get("errors", [])]


def learners_with(gw: Client, admin: str, email: str) -> int:
    """Return how many learner profiles carry ``email`` (admin's list, text search)."""
    found = gw.request("GET", f"{API}/learners?q={email}", token=admin)
    assert found.status == 200, found.body
    return int(found.body["total"])


def test_another_persons_email_in_the_profile_is_refused_and_the_owner_registers(
    gw: Client, world: World
) -> None:
    squatter, owner = unique_email("squatter"), unique_email("owner")
    refused = register(gw, squatter, {**PROFILE, "email": owner})
    assert refused.status == 422 and fields(refused) == ["profile.email"], refused.body
    assert gw.api_sign_in(squatter, PASSWORD).status == 401  # no account was left behind
    assert learners_with(gw, world["admin"].token, owner) == 0
    made = register(gw, owner, PROFILE)
    assert made.status == 201, made.body
    mine = gw.request(
        "GET",
        f"{API}/learners/{made.body['account']['learner_id']}",
        token=made.body["access_token"],
    )
    assert mine.body["email"] == owner


def test_the_accounts_own_email_in_the_profile_is_accepted_in_any_case(gw: Client) -> None:
    email = unique_email("same")
    made = register(gw, email.upper(), {**PROFILE, "email": email.title()})
    assert made.status == 201, made.body
    assert made.body["account"]["email"] == email
    profile = gw.request(
        "GET",
        f"{API}/learners/{made.body['account']['learner_id']}",
        token=made.body["access_token"],
    )
    assert profile.body["email"] == email


@pytest.mark.parametrize("who", ["learner", "admin"])
@pytest.mark.parametrize("address", ["admin@qabilet.kz", "the-same-one"])
def test_patching_a_profile_email_is_refused_and_changes_nothing(
    gw: Client, world: World, who: str, address: str
) -> None:
    learner = world["learner"]
    path = f"{API}/learners/{learner.learner_id}"
    before = gw.request("GET", path, token=world["admin"].token).body
    new = before["email"] if address == "the-same-one" else address
    token = learner.token if who == "learner" else world["admin"].token
    resp = gw.request("PATCH", path, token=token, body={"email": new, "cv_text": "Changed?"})
    assert resp.status == 422 and fields(resp) == ["email"], resp.body
    assert gw.request("GET", path, token=world["admin"].token).body == before


def test_employers_see_the_account_email_of_an_applicant(gw: Client) -> None:
    email = unique_email("applicant")
    learner = register(gw, email, PROFILE)
    assert learner.status == 201, learner.body
    employer = register(
        gw,
        unique_email("hr"),
        {
            "name": "Steppe Data LLP",
            "bin": valid_bin(uuid.uuid4().int % 10**11),
            "region": "astana",
            "sector": "IT",
        },
        role="employer",
    )
    assert employer.status == 201, employer.body
    boss = str(employer.body["access_token"])
    vacancy = gw.request(
        "POST", f"{API}/vacancies", token=boss, body={"title": "Analyst", "region": "astana"}
    )
    assert vacancy.status == 201, vacancy.body
    applied = gw.request(
        "POST",
        f"{API}/applications",
        token=learner.body["access_token"],
        body={"vacancy_id": vacancy.body["id"]},
    )
    assert applied.status == 201, applied.body
    seen = gw.request("GET", f"{API}/learners/{applied.body['learner_id']}", token=boss)
    assert seen.status == 200 and seen.body["email"] == email
    assert token_of(gw.api_sign_in(email, PASSWORD))  # the address they see signs that person in


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("айгерим@mail.kz", False),  # looks like Latin on screen: refused everywhere
        ("аdmin@qabilet.kz", False),  # a Cyrillic "а"
        ("user@почта.kz", False),
        ("user@xn--80a1acny.kz", True),  # the same domain in its punycode form
        ("a..b@example.kz", False),
        (".ab@example.kz", False),
        ("a b@example.kz", False),
        ('"quoted"@example.kz', False),
        ("two@@example.kz", False),
        ("no-tld@example", False),
        ("x@-bad-.kz", False),
        ("x" * 65 + "@example.kz", False),
        ("o'brien+jobs@sub.example.kz", True),
        ("Nurlan.Zh@Example.com", True),
    ],
)
def test_gateway_and_learner_service_apply_one_email_rule(
    gw: Client, world: World, address: str, valid: bool
) -> None:
    def fresh(mark: str) -> str:
        # A valid address is made unique, so that the account and the profile do not collide.
        mailbox, _, domain = address.rpartition("@")
        return f"{mailbox[:55]}{mark}{uuid.uuid4().hex[:6]}@{domain}" if valid else address

    account = register(gw, fresh("a"), PROFILE)
    profile = gw.request(
        "POST", f"{API}/learners", token=world["admin"].token, body={**PROFILE, "email": fresh("p")}
    )
    if valid:
        assert (account.status, profile.status) == (201, 201), (account.body, profile.body)
    else:
        assert (account.status, fields(account)) == (422, ["email"]), account.body
        assert (profile.status, fields(profile)) == (422, ["email"]), profile.body
