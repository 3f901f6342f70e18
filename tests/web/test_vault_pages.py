""" "Your cases": the encrypted vault from the web app, as a person uses it (create, unlock, keep, list, reopen,
delete, lock, auto-lock), with CSRF on every form and nothing about a case in an address.

Fast: the vaults here use scrypt's cheapest accepted cost (N=2^14), and the analyses run the rules alone."""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bondlens.detectors import detect, load_detector
from bondlens.importers import ImportOptions, load_conversation
from bondlens.vault import KdfParams, Vault
from bondlens.web import jobs
from tests.web.helpers import BASE, SAMPLE, client, csrf_of, past_safety, upload

FAST = KdfParams(n=2**14)
PASSPHRASE = "correct horse battery"
LABEL = "blue notebook 7"
_TOKEN_OF_OPEN = re.compile(r'name="case" value="([^"]+)"')


@pytest.fixture(autouse=True)
def rules_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The analyses in these tests run the rules alone: seconds faster, the same pages."""
    monkeypatch.setattr(jobs, "default_detectors", lambda: [load_detector("rules")])


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "vault.db"


def web(vault_path: Path, idle_minutes: float | None = None) -> tuple[TestClient, str]:
    c = client(vault_path=vault_path, vault_kdf=FAST, vault_idle_minutes=idle_minutes)
    return c, past_safety(c)


def stored_vault(path: Path, labels: tuple[str, ...] = (LABEL,)) -> list[int]:
    """A vault made with the Python API (as `bondlens vault add` does), holding the sample under each label."""
    conversation = load_conversation(SAMPLE, "auto", ImportOptions())
    me = next(p.id for p in conversation.participants if p.name == "Alex")
    findings = detect(conversation, [load_detector("rules")])
    with Vault.create(path, PASSPHRASE, kdf=FAST, idle_minutes=None) as vault:
        return [vault.add_case(label, conversation, me=me, findings=findings) for label in labels]


def create(c: TestClient, token: str, passphrase: str = PASSPHRASE, again: str | None = None) -> str:
    r = c.post(
        "/cases/create",
        data={"csrf_token": token, "passphrase": passphrase, "passphrase2": passphrase if again is None else again},
        follow_redirects=False,
    )
    assert r.status_code == 303
    return str(r.headers["location"])


def unlock(c: TestClient, token: str, passphrase: str = PASSPHRASE) -> str:
    r = c.post("/cases/unlock", data={"csrf_token": token, "passphrase": passphrase}, follow_redirects=False)
    assert r.status_code == 303
    return str(r.headers["location"])


def open_tokens(html: str) -> list[str]:
    return _TOKEN_OF_OPEN.findall(html)


def analysed_upload(c: TestClient, token: str) -> str:
    """Upload the sample, say Alex is me, wait for the (rules-only) analysis; the case's address."""
    status, location = upload(c, token, "WhatsApp Chat with Jordan.txt", SAMPLE.read_bytes())
    assert status == 303, location
    case = c.post(location, data={"csrf_token": token, "me": _alex(c, location)}, follow_redirects=False)
    address = str(case.headers["location"])
    deadline = time.monotonic() + 60
    while c.get(f"{address}/status").json()["state"] != "done":
        assert time.monotonic() < deadline, "the analysis did not finish"
        time.sleep(0.05)
    return address


def _alex(c: TestClient, me_page: str) -> str:
    match = re.search(r'name="me" value="([^"]+)"[^>]*>\s*<strong>Alex</strong>', c.get(me_page).text)
    assert match
    return match[1]


# -- create, and its errors -----------------------------------------------------------------------------------------


def test_without_a_vault_the_page_offers_to_create_one_with_the_warning(vault_path: Path) -> None:
    c, _ = web(vault_path)
    page = c.get("/cases")
    assert page.status_code == 200
    assert 'id="create-form"' in page.text and 'id="unlock-form"' not in page.text
    assert "There is no way to recover the passphrase" in page.text
    assert "at least 8 characters" in page.text
    assert 'href="/cases"' in c.get("/upload").text  # in the navigation
    assert not vault_path.exists()  # nothing is written until the person asks


def test_create_checks_length_and_sameness_then_unlocks(vault_path: Path) -> None:
    c, token = web(vault_path)
    location = create(c, token, "short")
    assert "The passphrase needs at least 8 characters." in c.get(location).text
    location = create(c, token, PASSPHRASE, again=PASSPHRASE + "x")
    assert "The two passphrases are not the same. Nothing was created." in c.get(location).text
    assert not vault_path.exists()
    assert create(c, token) == "/cases"
    page = c.get("/cases").text
    assert 'id="no-cases"' in page and 'id="lock-form"' in page
    assert vault_path.stat().st_mode & 0o777 == 0o600 and vault_path.parent.stat().st_mode & 0o777 == 0o700
    with Vault.open(vault_path, PASSPHRASE, idle_minutes=None) as vault:
        assert vault.cases() == []


# -- lock, unlock, wrong passphrase ---------------------------------------------------------------------------------


def test_lock_and_unlock(vault_path: Path) -> None:
    stored_vault(vault_path)
    c, token = web(vault_path)
    page = c.get("/cases").text
    assert 'id="unlock-form"' in page and LABEL not in page
    assert unlock(c, token) == "/cases"
    page = c.get("/cases").text
    assert LABEL in page and 'id="unlock-form"' not in page
    assert c.post("/cases/lock", data={"csrf_token": token}, follow_redirects=False).headers["location"] == "/cases"
    page = c.get("/cases").text
    assert 'id="unlock-form"' in page and LABEL not in page
    unlock(c, token)
    assert LABEL in c.get("/cases").text


def test_wrong_passphrase_is_said_clearly_without_details(vault_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    stored_vault(vault_path)
    c, token = web(vault_path)
    wrong = "not the passphrase"
    location = unlock(c, token, wrong)
    assert wrong not in location and location.startswith("/cases?error=")
    page = c.get(location)
    assert page.status_code == 400
    assert "That passphrase does not open your cases." in page.text
    assert str(vault_path) not in page.text and "vault.db" not in page.text and wrong not in page.text
    assert 'id="unlock-form"' in page.text and LABEL not in page.text
    assert wrong not in caplog.text and PASSPHRASE not in caplog.text
    unlock(c, token)
    assert PASSPHRASE not in caplog.text


def test_an_unlocked_vault_is_only_for_the_session_that_unlocked_it(vault_path: Path) -> None:
    stored_vault(vault_path)
    c, token = web(vault_path)
    unlock(c, token)
    other = TestClient(c.app, base_url=BASE)
    other_token = past_safety(other)
    assert LABEL not in other.get("/cases").text  # another browser (a private window, say) sees it locked
    unlock(other, other_token)
    assert LABEL in other.get("/cases").text
    assert 'id="unlock-form"' in c.get("/cases").text  # and now the first one does


# -- keep, list, reopen, delete -------------------------------------------------------------------------------------


def test_keep_a_case_then_list_reopen_and_delete_it(vault_path: Path) -> None:
    c, token = web(vault_path)
    case = analysed_upload(c, token)
    page = c.get(case).text
    assert 'id="keep-unlock"' in page and "create a place for your cases" in page  # no vault yet
    then = re.search(r'href="(/cases\?then=[^"]+)"', page)
    assert then
    assert f'name="then" value="{case.rsplit("/", 1)[1]}"' in c.get(then[1]).text
    r = c.post(
        "/cases/create",
        data={"csrf_token": token, "passphrase": PASSPHRASE, "passphrase2": PASSPHRASE, "then": case.rsplit("/")[-1]},
        follow_redirects=False,
    )
    assert r.headers["location"] == f"{case}#keep-case"  # back to the analysis, to keep it
    assert 'id="keep-form"' in c.get(case).text

    r = c.post(f"{case}/keep", data={"csrf_token": token, "label": LABEL}, follow_redirects=False)
    assert r.status_code == 303 and LABEL.split()[0] not in r.headers["location"]
    page = c.get(case).text
    assert 'id="kept"' in page and LABEL in page and 'id="keep-form"' not in page

    listing = c.get("/cases").text
    assert LABEL in listing and "14 Jan 2026" in listing
    messages = re.search(r"<td>([\d,]+)</td>", listing)
    assert messages and int(messages[1].replace(",", "")) > 10
    assert len(open_tokens(listing)) == 1
    hrefs = re.findall(r'(?:href|action|value)="([^"]*)"', listing)
    assert not any("blue" in h or h.endswith("/1") or "/1/" in h for h in hrefs)  # only opaque ids

    # reopen from the vault alone (forget the upload first: a new session, same server)
    fresh = TestClient(c.app, base_url=BASE)
    fresh_token = past_safety(fresh)
    unlock(fresh, fresh_token)
    [fresh_case] = open_tokens(fresh.get("/cases").text)
    r = fresh.post("/cases/open", data={"csrf_token": fresh_token, "case": fresh_case}, follow_redirects=False)
    reopened = r.headers["location"]
    assert r.status_code == 303 and reopened.startswith("/case/") and reopened != case
    shown = fresh.get(reopened)
    assert shown.status_code == 200 and "What bondlens found" in shown.text and 'id="kept"' in shown.text
    assert 'class="cycle"' in shown.text  # the cycles and their messages, from stored data
    assert fresh.get(f"{reopened}/chart/timeline.svg").status_code == 200
    again = fresh.post("/cases/open", data={"csrf_token": fresh_token, "case": fresh_case}, follow_redirects=False)
    assert again.headers["location"] == reopened  # opened once, not twice

    # delete: asked first, then gone from the list, the session and the file
    with sqlite3.connect(vault_path) as db:
        sealed = [row[0] for row in db.execute("SELECT data FROM records")]
    confirm = fresh.get(f"/cases/{fresh_case}/delete")
    assert confirm.status_code == 200 and "deleted for good" in confirm.text and LABEL in confirm.text
    assert LABEL in fresh.get("/cases").text  # asking deleted nothing
    r = fresh.post(f"/cases/{fresh_case}/delete", data={"csrf_token": fresh_token}, follow_redirects=False)
    assert r.status_code == 303
    listing = fresh.get(r.headers["location"]).text
    assert "The case was deleted for good." in listing and LABEL not in listing and 'id="no-cases"' in listing
    assert fresh.get(reopened, follow_redirects=False).status_code == 404
    fresh.post("/cases/lock", data={"csrf_token": fresh_token})
    with Vault.open(vault_path, PASSPHRASE, idle_minutes=None) as vault:
        assert vault.cases() == []
    files = b"".join(p.read_bytes() for p in vault_path.parent.iterdir())
    assert sealed and not any(blob[:64] in files for blob in sealed)


def test_keep_uses_a_neutral_default_label(vault_path: Path) -> None:
    c, token = web(vault_path)
    create(c, token)
    case = analysed_upload(c, token)
    assert 'placeholder="notes"' in c.get(case).text
    c.post(f"{case}/keep", data={"csrf_token": token, "label": "  "})
    assert "notes 1" in c.get("/cases").text


def test_a_bad_label_is_said_on_the_analysis_page(vault_path: Path) -> None:
    c, token = web(vault_path)
    create(c, token)
    case = analysed_upload(c, token)
    r = c.post(f"{case}/keep", data={"csrf_token": token, "label": "x" * 201}, follow_redirects=False)
    page = c.get(r.headers["location"]).text
    assert "longer than 200 characters" in page and 'id="keep-form"' in page
    assert 'id="no-cases"' in c.get("/cases").text


def test_keeping_while_locked_asks_to_unlock_first(vault_path: Path) -> None:
    stored_vault(vault_path, labels=())
    c, token = web(vault_path)
    case = analysed_upload(c, token)
    assert "unlock your cases" in c.get(case).text
    r = c.post(f"{case}/keep", data={"csrf_token": token, "label": LABEL}, follow_redirects=False)
    assert r.headers["location"].startswith("/cases?then=")
    with Vault.open(vault_path, PASSPHRASE, idle_minutes=None) as vault:
        assert vault.cases() == []


# -- locking drops the cases from memory; auto-lock -----------------------------------------------------------------


def test_lock_now_closes_the_cases_opened_from_the_vault(vault_path: Path) -> None:
    stored_vault(vault_path)
    c, token = web(vault_path)
    unlock(c, token)
    [vault_case] = open_tokens(c.get("/cases").text)
    opened = c.post("/cases/open", data={"csrf_token": token, "case": vault_case}, follow_redirects=False)
    case = opened.headers["location"]
    assert c.get(case).status_code == 200
    c.post("/cases/lock", data={"csrf_token": token})
    r = c.get(case, follow_redirects=False)
    assert r.status_code == 404 and "closed when they are locked" in r.text  # gone from memory at once
    assert LABEL not in c.get("/upload").text
    unlock(c, token)
    assert c.get(case).status_code == 404  # open it again from the list


def test_auto_lock_after_the_idle_time(vault_path: Path) -> None:
    stored_vault(vault_path)
    c, token = web(vault_path, idle_minutes=0.01)  # 0.6 s
    unlock(c, token)
    [vault_case] = open_tokens(c.get("/cases").text)
    case = c.post("/cases/open", data={"csrf_token": token, "case": vault_case}, follow_redirects=False)
    time.sleep(1.0)
    assert c.get(case.headers["location"], follow_redirects=False).headers["location"] == "/cases"
    page = c.get("/cases")
    assert 'id="unlock-form"' in page.text and LABEL not in page.text
    assert "Unlock them to go on." in page.text
    unlock(c, token)
    assert LABEL in c.get("/cases").text


def test_forget_everything_locks_the_vault(vault_path: Path) -> None:
    stored_vault(vault_path)
    c, token = web(vault_path)
    unlock(c, token)
    c.post("/forget", data={"csrf_token": token})
    token = past_safety(c)
    assert 'id="unlock-form"' in c.get("/cases").text


# -- CSRF on every new form -----------------------------------------------------------------------------------------


def test_every_vault_form_needs_the_csrf_token(vault_path: Path) -> None:
    c, token = web(vault_path)
    case = analysed_upload(c, token)
    posts = {
        "/cases/create": {"passphrase": PASSPHRASE, "passphrase2": PASSPHRASE},
        "/cases/unlock": {"passphrase": PASSPHRASE},
        "/cases/lock": {},
        "/cases/open": {"case": "x"},
        "/cases/x/delete": {},
        f"{case}/keep": {"label": LABEL},
    }
    for path, fields in posts.items():
        for sent in ({}, {"csrf_token": "forged"}):
            r = c.post(path, data={**fields, **sent}, follow_redirects=False)
            assert r.status_code == 403, (path, sent)
    assert not vault_path.exists()  # the forged create did nothing
    create(c, token)
    [c.post(path, data=fields, follow_redirects=False) for path, fields in posts.items()]
    assert 'id="no-cases"' in c.get("/cases").text  # nothing kept by a forged form
    assert csrf_of(c.get("/cases").text) == token
