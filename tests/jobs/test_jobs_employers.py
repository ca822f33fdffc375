"""Employers over HTTP: CRUD, BIN rules (length, digits, check digit, uniqueness), filters."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.jobs.helpers import REAL_BINS, Json, employer_body, events, field_names, latest

# 15054000008: weights 1..11 give 131 = 10 (mod 11), so the second weights 3..11,1,2 apply:
# 89 = 1 (mod 11) and the check digit is 1.
SECOND_PASS_BIN = "150540000801"
# 15054000160: both passes give 10 (120 and 98), so no BIN starts with these 11 digits.
NEVER_ISSUED = "150540001600"

BODY = employer_body(name="Kaspi Bank", sector="fintech")


@pytest.mark.parametrize("bin_", [*REAL_BINS, SECOND_PASS_BIN])
def test_valid_bins_are_accepted(client: FlaskClient, bin_: str) -> None:
    resp = client.post("/employers", json={**BODY, "bin": bin_})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["bin"] == bin_


@pytest.mark.parametrize(
    ("bin_", "message"),
    [
        ("94014000038", "exactly 12 digits"),
        ("9401400003850", "exactly 12 digits"),
        ("", "exactly 12 digits"),
        ("94014000038a", "digits only"),
        ("９４０１４０００００３８", "digits only"),  # full-width digits are not ASCII digits
        ("940140000386", "last digit should be 5"),
        ("940140000380", "last digit should be 5"),
        ("150540000800", "last digit should be 1"),
        (NEVER_ISSUED, "no valid BIN"),
    ],
)
def test_invalid_bins_are_422_naming_bin(client: FlaskClient, bin_: str, message: str) -> None:
    resp = client.post("/employers", json={**BODY, "bin": bin_})
    assert resp.status_code == 422
    assert field_names(resp) == ["bin"]
    assert message in resp.get_json()["errors"][0]["message"]
    assert client.get("/employers").get_json()["total"] == 0


def test_bin_as_a_number_is_rejected(client: FlaskClient) -> None:
    resp = client.post("/employers", json={**BODY, "bin": 940140000385})
    assert resp.status_code == 422 and field_names(resp) == ["bin"]


def test_bin_is_required_for_employer_accounts(client: FlaskClient) -> None:
    resp = client.post("/employers", json=BODY)
    assert resp.status_code == 422 and field_names(resp) == ["bin"]


def test_duplicate_bin_is_409_naming_bin(client: FlaskClient, employer: Json) -> None:
    resp = client.post("/employers", json={**BODY, "bin": employer["bin"]})
    assert resp.status_code == 409 and field_names(resp) == ["bin"]
    assert client.get("/employers").get_json()["total"] == 1


def test_patching_to_a_taken_bin_is_409(
    client: FlaskClient, make_employer: Callable[..., Json]
) -> None:
    first, second = make_employer(), make_employer(name="Kaspi")
    resp = client.patch(f"/employers/{second['id']}", json={"bin": first["bin"]})
    assert resp.status_code == 409 and field_names(resp) == ["bin"]
    assert client.get(f"/employers/{second['id']}").get_json()["bin"] == second["bin"]


def test_create_read_update_delete(client: FlaskClient) -> None:
    made = client.post(
        "/employers",
        json={
            **BODY,
            "bin": REAL_BINS[0],
            "website": "https://kaspi.kz",
            "contact_email": "hr@kaspi.kz",
        },
    ).get_json()
    assert made["source"] == "employer" and made["website"] == "https://kaspi.kz"
    assert client.get(f"/employers/{made['id']}").get_json() == made
    patched = client.patch(f"/employers/{made['id']}", json={"sector": "banking"}).get_json()
    assert patched["sector"] == "banking" and patched["name"] == "Kaspi Bank"
    assert patched["bin"] == REAL_BINS[0]
    assert client.delete(f"/employers/{made['id']}").status_code == 204
    assert client.get(f"/employers/{made['id']}").status_code == 404
    types = [e["type"] for e in events(client)]
    assert types == ["employer.created", "employer.updated", "employer.deleted"]


def test_writes_appear_on_the_feed_as_read(client: FlaskClient, employer: Json) -> None:
    (event,) = events(client)
    assert event["type"] == "employer.created" and event["id"] == employer["id"]
    assert event["data"] == client.get(f"/employers/{employer['id']}").get_json()


def test_list_filters_and_pagination(
    client: FlaskClient, make_employer: Callable[..., Json]
) -> None:
    make_employer(name="Air Astana", region="astana", sector="aviation")
    make_employer(name="Astana Motors", region="astana", sector="automotive")
    make_employer(name="Kazakhtelecom", region="astana", sector="telecom")
    make_employer(name="Shymkent Pivo", region="shymkent", sector="food")
    page = client.get("/employers?region=astana&limit=2").get_json()
    assert page["total"] == 3 and [e["name"] for e in page["items"]] == [
        "Air Astana",
        "Astana Motors",
    ]
    page2 = client.get("/employers?region=astana&limit=2&offset=2").get_json()
    assert [e["name"] for e in page2["items"]] == ["Kazakhtelecom"]
    assert client.get("/employers?q=astana").get_json()["total"] == 2
    assert client.get("/employers?region=astana,shymkent").get_json()["total"] == 4
    assert client.get("/employers?sector=food").get_json()["items"][0]["name"] == "Shymkent Pivo"
    assert client.get("/employers?q=.*").get_json()["total"] == 0


def test_deleting_an_employer_with_open_vacancies_is_409(
    client: FlaskClient, employer: Json, vacancy: Json
) -> None:
    resp = client.delete(f"/employers/{employer['id']}")
    assert resp.status_code == 409
    assert resp.get_json()["open_vacancies"] == 1
    client.post(f"/vacancies/{vacancy['id']}/close")
    assert client.delete(f"/employers/{employer['id']}").status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "bin": REAL_BINS[0], "region": "moscow"}, "region"),
        ({**BODY, "bin": REAL_BINS[0], "region": {"$gt": ""}}, "region"),
        ({**BODY, "bin": {"$gt": ""}}, "bin"),
        ({**BODY, "bin": REAL_BINS[0], "name": {"$ne": None}}, "name"),
        ({**BODY, "bin": REAL_BINS[0], "name": ""}, "name"),
        ({**BODY, "bin": REAL_BINS[0], "name": 42}, "name"),
        ({**BODY, "bin": REAL_BINS[0], "website": "kaspi.kz"}, "website"),
        ({**BODY, "bin": REAL_BINS[0], "contact_email": "not-an-email"}, "contact_email"),
        ({**BODY, "bin": REAL_BINS[0], "is_admin": True}, "is_admin"),
        ({"bin": REAL_BINS[0], "region": "astana", "sector": "x"}, "name"),
    ],
)
def test_invalid_employer_is_422_naming_the_field(
    client: FlaskClient, body: Json, field: str
) -> None:
    resp = client.post("/employers", json=body)
    assert resp.status_code == 422
    assert field in field_names(resp)
    assert latest(client) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": None}, "name"), ({"bin": None}, "bin"), ({"region": "mars"}, "region")],
)
def test_invalid_patch_is_422_and_changes_nothing(
    client: FlaskClient, employer: Json, body: Json, field: str
) -> None:
    resp = client.patch(f"/employers/{employer['id']}", json=body)
    assert resp.status_code == 422 and field_names(resp) == [field]
    assert client.get(f"/employers/{employer['id']}").get_json() == employer


@pytest.mark.parametrize("employer_id", ["6b03850e833240043945a1f2", "nope", "%7B%22$gt%22%3A1%7D"])
def test_unknown_employer_is_404_problem(client: FlaskClient, employer_id: str) -> None:
    resp = client.get(f"/employers/{employer_id}")
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
