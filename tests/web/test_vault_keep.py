"""Keeping a self-check result or plan notes with a case of the vault, from the web app: offered while a case of
"Your cases" is open, done only when the person presses the button (never by default), read back with the case.

Fast: the vault uses scrypt's cheapest accepted cost, and its case is stored with the rules' findings (opening it
runs no detector)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bondlens.plan import parse_answers
from bondlens.selfcheck import questionnaire
from bondlens.vault import Vault
from bondlens.web.vaults import PLAN_NAME
from tests.web.helpers import BASE, SAMPLE, past_safety, upload
from tests.web.test_vault_pages import LABEL, PASSPHRASE, open_tokens, stored_vault, unlock, web

NOTES = {"support": "my sister Ana\ncode word: blue kettle", "timing": "talk to the helpline first"}


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "vault.db"
    stored_vault(path)
    return path


def open_case(c: TestClient, token: str) -> str:
    """Unlock, open the one case from the list; the address of its analysis."""
    unlock(c, token)
    [vault_case] = open_tokens(c.get("/cases").text)
    r = c.post("/cases/open", data={"csrf_token": token, "case": vault_case}, follow_redirects=False)
    assert r.status_code == 303
    return str(r.headers["location"])


def take_selfcheck(c: TestClient, token: str, answer: str = "2") -> None:
    answers = {item.id: answer for item in questionnaire().items}
    r = c.post("/selfcheck", data={"csrf_token": token, **answers}, follow_redirects=False)
    assert r.headers["location"] == "/selfcheck/result"


def text(c: TestClient, address: str) -> str:
    """The page at ``address`` as a person reads it (entities such as &#34; unescaped)."""
    return html.unescape(c.get(address).text)


def kept(vault_path: Path) -> Vault:
    return Vault.open(vault_path, PASSPHRASE, idle_minutes=None)


def lock(c: TestClient, token: str) -> None:
    c.post("/cases/lock", data={"csrf_token": token})


# -- self-check -------------------------------------------------------------------------------------------------------


def test_a_selfcheck_is_kept_with_the_open_case_only_when_asked(vault_path: Path) -> None:
    c, token = web(vault_path)
    case = open_case(c, token)
    take_selfcheck(c, token)
    page = c.get("/selfcheck/result").text
    assert 'id="keep-selfcheck-form"' in page and f">{LABEL}</option>" in page
    assert "Only if you choose to" in page
    case_value = re.search(r'<option value="([^"]+)">', page)
    assert case_value and case_value[1] == case.rsplit("/", 1)[1]  # the session's name for it, not the vault's

    lock(c, token)
    with kept(vault_path) as vault:  # taking the self-check kept nothing
        [stored] = vault.cases()
        assert vault.selfchecks(stored.id) == []
    case = open_case(c, token)  # opened again: a new name in the session
    case_id = case.rsplit("/", 1)[1]

    r = c.post("/selfcheck/keep", data={"csrf_token": token, "case": case_id}, follow_redirects=False)
    assert r.status_code == 303
    page = text(c, r.headers["location"])
    assert f'Your self-check is kept with "{LABEL}", encrypted in your cases.' in page
    assert 'id="keep-selfcheck-form"' not in page and f"This result is kept with: {LABEL}." in page
    c.post("/selfcheck/keep", data={"csrf_token": token, "case": case_id})  # a second press: kept once

    shown = c.get(case).text  # the case lists it, and it can be read again
    assert 'id="kept-with"' in shown and "Your self-check of" in shown
    band = re.search(r'<span id="band">([^<]+)</span>', page)
    assert band and f": {band[1]}." in shown
    again = c.get(f"{case}/selfcheck/1")
    assert again.status_code == 200 and 'id="selfcheck-stored"' in again.text and band[1] in again.text
    assert 'id="selfcheck-clear"' not in again.text and 'id="keep-selfcheck-form"' not in again.text
    assert c.get(f"{case}/selfcheck/2").status_code == 404

    lock(c, token)
    with kept(vault_path) as vault:
        [stored] = vault.cases()
        [result] = vault.selfchecks(stored.id)
        assert result.band_name == band[1] and {a.answer for a in result.answers} == {2}

    take_selfcheck(c, token, "0")  # a new result may be kept too, as another one
    case = open_case(c, token)
    c.post("/selfcheck/keep", data={"csrf_token": token, "case": case.rsplit("/", 1)[1]})
    assert 'id="kept-selfcheck-2"' in c.get(case).text


def test_without_an_open_case_there_is_nothing_to_keep_with(vault_path: Path) -> None:
    c, token = web(vault_path)
    take_selfcheck(c, token)
    page = c.get("/selfcheck/result").text
    assert 'id="keep-selfcheck-form"' not in page and 'id="keep-selfcheck-hint"' in page  # locked: how to do it
    assert 'id="keep-plan"' not in c.get("/plan").text
    # an uploaded chat that is not in the vault cannot take it
    unlock(c, token)
    status, location = upload(c, token, "WhatsApp Chat with Jordan.txt", SAMPLE.read_bytes())
    assert status == 303
    upload_id = location.split("/")[2]
    r = c.post("/selfcheck/keep", data={"csrf_token": token, "case": upload_id}, follow_redirects=False)
    assert r.status_code == 404
    # a case opened before the vault was locked: to the unlock page, nothing stored
    case = open_case(c, token)
    lock(c, token)
    r = c.post("/selfcheck/keep", data={"csrf_token": token, "case": case.rsplit("/", 1)[1]}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/cases"
    r = c.post(
        "/selfcheck/keep",
        data={"csrf_token": token, "case": case.rsplit("/", 1)[1]},
        headers={"X-Bondlens-Fetch": "1"},
    )
    assert r.json() == {"location": "/cases"}  # app.js opens it itself
    with kept(vault_path) as vault:
        [stored] = vault.cases()
        assert vault.selfchecks(stored.id) == []


def test_without_a_vault_the_result_page_says_nothing_about_keeping(vault_path: Path) -> None:
    """No vault at all: the result page says nothing about cases."""
    c, token = web(vault_path.parent / "none.db")
    take_selfcheck(c, token)
    page = c.get("/selfcheck/result").text
    assert 'id="keep-selfcheck' not in page and "Your cases" in page  # only the navigation


# -- plan -------------------------------------------------------------------------------------------------------------


def plan_form(token: str, case: str, action: str = "vault", notes: dict[str, str] = NOTES) -> dict[str, str]:
    return {
        "csrf_token": token,
        "country": "UK",
        "action": action,
        "case": case,
        **{f"notes.{step}": text for step, text in notes.items()},
    }


def test_plan_notes_are_kept_with_the_open_case_and_opened_again_from_it(vault_path: Path) -> None:
    c, token = web(vault_path)
    case = open_case(c, token)
    case_id = case.rsplit("/", 1)[1]
    page = c.get("/plan").text
    assert 'id="keep-plan"' in page and f">{LABEL}</option>" in page and 'id="plan-keep"' in page

    r = c.post("/plan", data=plan_form(token, case_id, action="save"), follow_redirects=False)
    assert r.headers["location"] == "/plan?saved=1"  # keeping them for now keeps nothing in the vault
    r = c.post("/plan", data=plan_form(token, case_id, notes={}), follow_redirects=False)
    assert "There are no notes to keep yet" in c.get(r.headers["location"]).text
    r = c.post("/plan", data=plan_form(token, case_id), follow_redirects=False)
    page = text(c, r.headers["location"])
    assert f'Your notes are kept with "{LABEL}"' in page
    shown = c.get(case).text
    assert "Your plan notes, kept on" in shown and 'id="kept-plan-load"' in shown

    lock(c, token)
    with kept(vault_path) as vault:
        [stored] = vault.cases()
        [plan] = vault.plans(stored.id)
        assert plan.name == PLAN_NAME and plan.media_type == "application/json"
        content = json.loads(plan.content)  # a `bondlens plan --answers` file, as `vault export` writes it out
        assert content == {
            "support": ["my sister Ana", "code word: blue kettle"],
            "timing": ["talk to the helpline first"],
        }
        assert parse_answers(content, "plan-1.json") == {k: tuple(v) for k, v in content.items()}

    # keeping again replaces them
    case = open_case(c, token)
    c.post("/plan", data=plan_form(token, case.rsplit("/", 1)[1], notes={"contact": "block the number"}))

    # a new browser: unlock, open the case, put the kept notes on the plan page
    fresh = TestClient(c.app, base_url=BASE)
    fresh_token = past_safety(fresh)
    reopened = open_case(fresh, fresh_token)
    assert "my sister Ana" not in fresh.get("/plan").text
    r = fresh.post(f"{reopened}/plan/load", data={"csrf_token": fresh_token}, follow_redirects=False)
    assert r.status_code == 303
    page = text(fresh, r.headers["location"])
    assert f'The notes kept with "{LABEL}" are on this page now' in page
    assert ">block the number</textarea>" in page and "my sister Ana" not in page
    lock(fresh, fresh_token)
    with kept(vault_path) as vault:
        [stored] = vault.cases()
        assert len(vault.plans(stored.id)) == 1


def test_loading_needs_a_kept_plan(vault_path: Path) -> None:
    c, token = web(vault_path)
    case = open_case(c, token)
    assert 'id="kept-plan-load"' not in c.get(case).text
    assert c.post(f"{case}/plan/load", data={"csrf_token": token}, follow_redirects=False).status_code == 404


def test_the_new_forms_need_the_csrf_token(vault_path: Path) -> None:
    c, token = web(vault_path)
    case = open_case(c, token)
    take_selfcheck(c, token)
    case_id = case.rsplit("/", 1)[1]
    for path, fields in (
        ("/selfcheck/keep", {"case": case_id}),
        (f"{case}/plan/load", {}),
        ("/plan", plan_form("", case_id)),
    ):
        for sent in ({}, {"csrf_token": "forged"}):
            data = {k: v for k, v in fields.items() if k != "csrf_token"}
            r = c.post(path, data={**data, **sent}, follow_redirects=False)
            assert r.status_code == 403, (path, sent)
    lock(c, token)
    with kept(vault_path) as vault:
        [stored] = vault.cases()
        assert vault.selfchecks(stored.id) == [] and vault.plans(stored.id) == []
