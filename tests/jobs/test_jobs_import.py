"""Import of the 1,000 real hh.kz vacancies through the service layer: fields, feed, idempotency."""

from __future__ import annotations

import ast
import csv
import json
import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from services.jobs.settings import Settings
from services.jobs.vacancies.importers import HH_VACANCIES, KZT_PER_UNIT, main
from tests.jobs.helpers import events, latest

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("QABILET_SHARED_DATA", ROOT.parent / "shared" / "data"))
CSV = SHARED / HH_VACANCIES

pytestmark = pytest.mark.skipif(not CSV.is_file(), reason=f"real data not found at {CSV}")


def run(settings: Settings, capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    """Run the importer CLI on the store of ``settings``; return its printed summary."""
    assert main(["vacancies", *args], settings=settings) == 0
    return json.loads(capsys.readouterr().out)


def by_external_id(client: FlaskClient, external_id: str) -> dict:
    page = client.get("/vacancies?source=hh.kz&limit=200").get_json()
    offset = 0
    while True:
        for item in page["items"]:
            if item["external_id"] == external_id:
                return item
        offset += 200
        assert offset < page["total"], f"no vacancy {external_id}"
        page = client.get(f"/vacancies?source=hh.kz&limit=200&offset={offset}").get_json()


def test_first_fifty_keep_their_text_salary_and_metadata(
    client: FlaskClient, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = run(settings, capsys, "--data-dir", str(SHARED), "--limit", "50", "--no-progress")
    assert summary["read"] == 50 and summary["imported"] == 50 and summary["skipped"] == {}
    assert client.get("/vacancies?limit=1").get_json()["total"] == 50

    driver = by_external_id(client, "131040079")  # the first row of the CSV
    assert driver["title"] == "Водитель-испытатель"
    assert driver["requirements"].startswith("Наличие водительского удостоверения категории «B»")
    assert "обратной связи разработчикам." in driver["description"]
    assert "<" not in driver["description"] + driver["requirements"]
    assert (driver["salary_min"], driver["salary_max"], driver["salary_gross"]) == (
        450_000,
        None,
        False,
    )
    assert driver["region"] == "astana" and driver["professional_role"] == "Водитель"
    assert (driver["experience"], driver["employment_type"], driver["schedule"]) == (
        "1-3",
        "project",
        "full-day",
    )
    assert driver["published_at"] == "2026-03-06T15:19:57Z"  # 18:19:57 +03:00
    assert driver["external_url"] == "https://hh.ru/vacancy/131040079"

    # Paid per shift: no monthly figure is made up, the published one is kept.
    dishwasher = by_external_id(client, "130576299")
    assert dishwasher["salary_min"] is None and dishwasher["salary_max"] is None
    assert dishwasher["salary_original"]["period"] == "shift"
    assert dishwasher["salary_original"]["amount_to"] == 15_000

    employers = client.get("/employers?source=hh.kz&limit=200").get_json()
    assert employers["total"] == summary["employers_created"]
    assert all(e["bin"] is None for e in employers["items"])
    oem = client.get(f"/employers/{driver['employer_id']}").get_json()
    assert oem["name"] == "OEM LAB" and oem["external_id"] == "10947523"

    feed = events(client)
    created = [e for e in feed if e["type"] == "vacancy.created"]
    assert len(created) == 50
    assert next(e for e in created if e["id"] == driver["id"])["data"] == driver


def test_a_rerun_adds_nothing(
    client: FlaskClient, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    run(settings, capsys, "--data-dir", str(SHARED), "--limit", "50", "--no-progress")
    seq = latest(client)
    again = run(settings, capsys, "--data-dir", str(SHARED), "--limit", "50", "--no-progress")
    assert again["imported"] == 0 and again["employers_created"] == 0
    assert again["skipped"] == {"already_imported": 50}
    assert client.get("/vacancies?limit=1").get_json()["total"] == 50
    assert latest(client) == seq


def test_all_thousand_import_once_with_converted_salaries(
    client: FlaskClient, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    employer_keys = set()
    for row in rows:
        employer = ast.literal_eval(row["employer"])
        employer_keys.add(employer.get("id") or employer["name"])

    summary = run(settings, capsys, "--data-dir", str(SHARED), "--no-progress")
    assert summary["imported"] == len(rows) == 1000 and summary["skipped"] == {}
    assert summary["employers_created"] == len(employer_keys)
    assert client.get("/vacancies?source=hh.kz&limit=1").get_json()["total"] == 1000
    assert client.get("/employers?limit=1").get_json()["total"] == len(employer_keys)
    assert client.get("/vacancies?region=astana&limit=1").get_json()["total"] == 1000

    manager = by_external_id(client, "130642224")  # published as 1,500-3,000 USD gross
    rate = KZT_PER_UNIT["USD"]
    assert (manager["salary_min"], manager["salary_max"]) == (
        round(1500 * rate),
        round(3000 * rate),
    )
    assert manager["salary_gross"] is True
    assert manager["salary_original"] == {
        "amount_from": 1500,
        "amount_to": 3000,
        "currency": "USD",
        "period": "month",
        "rate": rate,
    }
    remote = sum(
        1 for row in rows if "'remote'" in row["schedule"] or "'REMOTE'" in row["work_format"]
    )
    assert client.get("/vacancies?remote=true&limit=1").get_json()["total"] == remote

    again = run(settings, capsys, "--data-dir", str(SHARED), "--no-progress")
    assert again["imported"] == 0 and again["skipped"] == {"already_imported": 1000}


def test_bad_rows_are_skipped_and_counted_by_reason(
    client: FlaskClient, settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with CSV.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        good, moscow, broken = next(reader), next(reader), next(reader)
    moscow["area"] = "{'id': '1', 'name': 'Москва', 'url': 'https://api.hh.ru/areas/1'}"
    broken["snippet"] = "{'requirement': 'unterminated"
    data = tmp_path / "shared"
    (data / "jobs").mkdir(parents=True)
    with (data / HH_VACANCIES).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows([good, moscow, broken, good])

    assert main(["vacancies", "--data-dir", str(data)], settings=settings) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert "hh.kz vacancies: 100%" in err  # the progress bar
    assert summary["read"] == 4 and summary["imported"] == 1
    assert summary["skipped"] == {
        "already_imported": 1,
        "malformed_snippet": 1,
        "unknown_region": 1,
    }
    ids = [v["external_id"] for v in client.get("/vacancies").get_json()["items"]]
    assert ids == [good["id"]]


def test_a_missing_data_file_stops_with_a_clear_message(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["vacancies", "--data-dir", str(tmp_path)], settings=settings)
    assert stop.value.code == 2
    assert "no such file" in capsys.readouterr().err
