"""Invitations on the pages: the employer invites, the learner sees and declines, in ru and kk."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import pytest
from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient

from tests.gateway.fresh import fresh_learner
from tests.gateway.learner_pages import text_of
from tests.gateway.test_pages import csrf_of, web_login
from tests.gateway.world import (
    API,
    Actor,
    World,
    learner_profile,
    ok,
    register,
    vacancy_body,
    wait_until,
)

RAW_KEY = re.compile(r"\b(?:invite|nav|field|problem|upload)\.[a-z_.]+\b")


@pytest.fixture
def employer_tab(gateway: Flask, world: World) -> FlaskClient:
    return web_login(gateway.test_client(), world["employer"].email)


def _candidate_vacancy(client: FlaskClient, world: World) -> tuple[Actor, dict[str, str]]:
    """Return a new consenting learner and a new vacancy of the world's employer listing them."""
    profile = learner_profile("Жанар Абенова", world.skills[:5], consent=True)
    learner = register(client, "learner", f"inv-{uuid.uuid4().hex[:8]}@example.kz", profile)
    body = vacancy_body(f"Аналитик данных {uuid.uuid4().hex[:4]}", world.skills[:5])
    vacancy = ok(client.post(f"{API}/vacancies", headers=world["employer"].headers, json=body), 201)

    def listed() -> bool:
        resp = client.get(
            f"{API}/vacancies/{vacancy['id']}/candidates", headers=world["admin"].headers
        )
        found = resp.get_json().get("candidates", []) if resp.status_code == 200 else []
        return learner.learner_id in {c["learner_id"] for c in found}

    wait_until(listed, timeout=60)
    return learner, vacancy


def test_employer_invites_learner_declines_and_employer_sees_it(
    client: FlaskClient, employer_tab: FlaskClient, gateway: Flask, world: World
) -> None:
    learner, vacancy = _candidate_vacancy(client, world)
    vid = vacancy["id"]
    page = employer_tab.get(f"/employer/vacancies/{vid}?lang=ru")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-invite-learner="{learner.learner_id}"' in html
    assert "Необязательно, не длиннее 1 000 символов." in html
    token = csrf_of(html)
    post = f"/employer/vacancies/{vid}/invite"

    # Too long: the page again in Russian, naming the field, the note kept.
    long_note = "Приглашаем! " + "а" * 1000
    refused = employer_tab.post(
        post, data={"csrf_token": token, "learner_id": learner.learner_id, "message": long_note}
    )
    text = text_of(refused.get_data(as_text=True))
    assert refused.status_code == 422
    assert "Сообщение: не длиннее 1000 символов" in text
    assert long_note in refused.get_data(as_text=True)
    # Not a consenting candidate: 422 naming the candidate.
    hidden = fresh_learner(client, world)["L"]
    stranger = employer_tab.post(post, data={"csrf_token": token, "learner_id": hidden})
    assert stranger.status_code == 422
    assert "Кандидат: пригласить можно только кандидата этой вакансии" in text_of(
        stranger.get_data(as_text=True)
    )

    sent = employer_tab.post(
        post,
        data={"csrf_token": token, "learner_id": learner.learner_id, "message": "Ждём ваш отклик."},
    )
    assert sent.status_code == 302 and sent.location.endswith("#invitations")
    shown = employer_tab.get(f"/employer/vacancies/{vid}?lang=ru").get_data(as_text=True)
    assert "Приглашение отправлено." in shown
    row = re.search(rf'<tr class="invitation"[^>]*data-learner="{learner.learner_id}".*?</tr>',
                    shown, re.S)  # fmt: skip
    assert row and "Ждём ваш отклик." in row.group(0) and "приглашение" in row.group(0)
    # Twice: 409 in Russian, naming the candidate.
    again = employer_tab.post(post, data={"csrf_token": token, "learner_id": learner.learner_id})
    assert again.status_code == 409
    assert "уже приглашён на эту вакансию" in text_of(again.get_data(as_text=True))

    # The learner sees it on their page in Kazakh, with the date in the Kazakh locale.
    tab = web_login(gateway.test_client(), learner.email)
    mine = tab.get("/learner/invitations?lang=kk")
    html = mine.get_data(as_text=True)
    assert mine.status_code == 200
    assert 'href="/learner/invitations"' in html  # the nav entry
    record = ok(client.get(f"{API}/invitations", headers=learner.headers))["items"][0]
    day = format_date(datetime.fromisoformat(record["created_at"]), "medium", locale="kk")
    row_html = re.search(r'<tr class="invitation".*?</tr>', html, re.S)
    assert row_html
    cells = text_of(row_html.group(0))
    assert vacancy["title"] in cells and "DataSoft LLP" in cells and "Ждём ваш отклик." in cells
    assert re.sub(r"\s+", " ", day) in cells and "шақырылды" in cells  # "2026 ж. 01 жел."
    assert f'href="/learner/vacancies/{vid}"' in row_html.group(0)
    assert f'href="/learner/vacancies/{vid}#apply"' in row_html.group(0)
    assert not RAW_KEY.search(text_of(html))
    decline = f"/learner/invitations/{record['id']}/decline"
    done = tab.post(decline, data={"csrf_token": csrf_of(html)})
    assert done.status_code == 302
    after = tab.get("/learner/invitations?lang=kk").get_data(as_text=True)
    assert "Шақырудан бас тарттыңыз." in after and "бас тартылды" in text_of(after)
    assert f'action="{decline}"' not in after
    # Declining twice: the 409 said in the page's language.
    tab.post(decline, data={"csrf_token": csrf_of(after)})
    twice = text_of(tab.get("/learner/invitations?lang=kk").get_data(as_text=True))
    assert "бұл шақыруға жауап берілген (бас тартылды)" in twice

    # The employer sees the declined invitation, and may not send it again.
    final = employer_tab.get(f"/employer/vacancies/{vid}?lang=ru").get_data(as_text=True)
    row = re.search(rf'<tr class="invitation"[^>]*data-learner="{learner.learner_id}".*?</tr>',
                    final, re.S)  # fmt: skip
    assert row and "отказ" in row.group(0)
    card = re.search(rf'data-invite-learner="{learner.learner_id}".*?</div>', final, re.S)
    assert card and "invite-form" not in card.group(0)


def test_a_closed_vacancy_takes_no_invitation_and_says_so(
    client: FlaskClient, employer_tab: FlaskClient, world: World
) -> None:
    learner, vacancy = _candidate_vacancy(client, world)
    ok(client.post(f"{API}/vacancies/{vacancy['id']}/close", headers=world["employer"].headers))
    page = employer_tab.get(f"/employer/vacancies/{vacancy['id']}?lang=kk").get_data(as_text=True)
    assert "invite-form" not in page  # no invite button on a closed vacancy
    resp = employer_tab.post(
        f"/employer/vacancies/{vacancy['id']}/invite",
        data={"csrf_token": csrf_of(page), "learner_id": learner.learner_id},
    )
    text = text_of(resp.get_data(as_text=True))
    # The matcher still lists the candidate; the jobs service refuses a closed vacancy (409).
    assert resp.status_code == 409, text[:400]
    assert "бос орын жабық; тек ашық бос орынға шақыруға болады" in text
    assert not RAW_KEY.search(text)
