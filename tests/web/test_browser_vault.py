""" "Your cases" in a real browser (Debian's Chromium, driven by Playwright), as a person would use them.

Open the sample export and say who is "me"; from its analysis create the vault (in a temporary folder) and keep
the case under a label; see it listed; lock; a wrong passphrase is said in one line; unlock; open the case from the
vault alone and see the timeline and a cycle with its messages; delete it (asked first) and see it gone; lock.
Every request the page makes is recorded (the helpers of test_browser.py): none may go to any origin but the app,
and no address may carry the passphrase or the label.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from fastapi import FastAPI

from bondlens.vault import KdfParams, Vault
from tests.web.helpers import SAMPLE, LiveServer, live_server
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, Watched
from tests.web.test_vault_pages import LABEL, PASSPHRASE, stored_vault

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's Chromium is not installed (/usr/bin/chromium): apt-get install chromium"
)

if CHROMIUM.exists():
    from playwright.sync_api import Browser, Page, expect, sync_playwright


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "vault.db"


@pytest.fixture
def server(vault_path: Path) -> Iterator[LiveServer]:
    """The real server, its vault in a temporary folder (scrypt at its cheapest accepted cost: fast)."""
    with live_server(vault_path=vault_path, vault_kdf=KdfParams(n=2**14)) as running:
        yield running


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def watched(browser: Browser, server: LiveServer) -> Iterator[Watched]:
    w = Watched(browser, server)
    yield w
    w.close()


def main_text(page: Page) -> str:
    return page.inner_text("main")


def go_to_cases(page: Page) -> None:
    page.click("nav a[href='/cases']")
    page.wait_for_selector("#unlock-form, #create-form, #case-list, #no-cases")


def cycle_evidence(page: Page) -> dict[str, list[str]]:
    """The first cycle as shown: its harm and its apology or affection (whole messages), and the marked words."""
    cycle = page.locator("#cycle-1")
    found = {
        "harm": cycle.locator("ol.harm li").all_inner_texts(),
        "reinforcement": cycle.locator("ol.reinforcement li").all_inner_texts(),
        "marked": cycle.locator("mark").all_inner_texts(),
    }
    assert found["harm"] and found["reinforcement"], found
    return found


def test_keep_list_open_delete_and_lock_a_case(watched: Watched, server: LiveServer, vault_path: Path) -> None:
    page = watched.page
    page.goto(server.base + "/")
    entries = page.evaluate("history.length")
    page.click("#continue")
    page.wait_for_url(server.base + "/upload")

    # open the sample export and say who "me" is
    page.set_input_files("#file", str(SAMPLE))
    page.click("#upload-button")
    page.wait_for_url("**/me")
    page.check("input[name=me][value=Alex]")
    page.click("#me-button")
    page.wait_for_selector("#timeline-chart", timeout=180_000)
    uploaded = page.url.split("#")[0]
    evidence = cycle_evidence(page)
    assert evidence["marked"], "the first cycle marks no words"

    # no vault yet: the analysis offers to create one, with the warning, then comes back to keep the case
    assert not vault_path.exists()
    page.click("#keep-unlock")
    page.wait_for_selector("#create-form")
    assert "There is no way to recover the passphrase" in main_text(page)
    page.fill("#passphrase", PASSPHRASE)
    page.fill("#passphrase2", PASSPHRASE)
    page.click("#create-button")
    page.wait_for_selector("#keep-form")
    assert page.url.split("#")[0] == uploaded
    assert vault_path.stat().st_mode & 0o777 == 0o600
    page.fill("#label", LABEL)
    page.click("#keep-button")
    page.wait_for_selector("#kept")
    assert LABEL in page.inner_text("#kept")

    # listed in Your cases
    go_to_cases(page)
    rows = page.locator("#case-list tbody tr")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert LABEL in row and "14 Jan 2026" in row  # the label and the chat's first day

    # lock; a wrong passphrase is said in one line; the right one unlocks
    page.click("#lock-button")
    page.wait_for_selector("#unlock-form")
    assert LABEL not in main_text(page)
    page.fill("#passphrase", "not the passphrase")
    page.click("#unlock-button")
    expect(page.locator("#cases-error")).to_contain_text("That passphrase does not open your cases.")
    assert page.locator("#unlock-wait").count() == 0  # one mistake: no wait
    page.fill("#passphrase", PASSPHRASE)
    page.click("#unlock-button")
    page.wait_for_selector("#case-list")

    # open it from the vault alone (the upload left this page's memory when the vault was locked)
    page.locator("#case-list tbody tr").first.locator("button", has_text="Open").click()
    page.wait_for_selector("#timeline-chart")
    page.wait_for_load_state("load")
    assert page.url.split("#")[0] != uploaded
    assert LABEL in page.inner_text("#kept")
    for chart in ("#timeline-chart", "#tactics-chart"):
        assert page.eval_on_selector(chart, "img => img.complete && img.naturalWidth > 300"), chart
    assert page.locator("#cycle-1").is_visible()
    assert cycle_evidence(page) == evidence  # the same messages and marked words as the analysis of the upload
    opened = page.url.split("#")[0]

    # delete: asked first, then gone
    go_to_cases(page)
    page.locator("#case-list tbody tr").first.locator("a", has_text="Delete").click()
    page.wait_for_selector("#delete-form")
    assert LABEL in main_text(page) and "deleted for good" in main_text(page)
    page.click("#delete-button")
    page.wait_for_selector("#cases-notice")
    assert "The case was deleted for good." in page.inner_text("#cases-notice")
    assert page.locator("#no-cases").is_visible()
    assert LABEL not in main_text(page)

    # lock
    page.click("#lock-button")
    page.wait_for_selector("#unlock-form")
    assert page.evaluate("history.length") == entries  # links and forms replaced the page: still one entry

    # the case opened from the vault is gone from the app's memory too
    page.goto(opened)
    assert "no longer here" in main_text(page)

    assert watched.foreign() == [], "the app made requests to another origin"
    secrets = (PASSPHRASE, quote_plus(PASSPHRASE), quote_plus(PASSPHRASE).replace("+", "%20"), "blue", "notebook")
    leaked = [url for url, _ in watched.requests if any(s in url for s in secrets)]
    assert leaked == [], "an address carried the passphrase or the label"

    with Vault.open(vault_path, PASSPHRASE, idle_minutes=None) as vault:
        assert vault.cases() == []


class Clock:
    """The server's unlock-throttle clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def server_clock(server: LiveServer) -> Clock:
    clock = Clock()
    app = server.server.config.app
    assert isinstance(app, FastAPI)
    app.state.web.vault.throttle.clock = clock
    return clock


def unlock_with(page: Page, passphrase: str) -> None:
    page.fill("#passphrase", passphrase)
    with page.expect_navigation():
        page.click("#unlock-button")


def test_the_wait_after_wrong_passphrases_is_shown_and_counted_down(
    watched: Watched, server: LiveServer, vault_path: Path
) -> None:
    stored_vault(vault_path)
    clock = server_clock(server)
    page = watched.page
    page.clock.install()  # the page's timers too run only when the test says so
    page.goto(server.base + "/")
    page.click("#continue")
    page.wait_for_url(server.base + "/upload")
    go_to_cases(page)

    for _ in range(3):
        unlock_with(page, "not the passphrase")
    assert "That passphrase does not open your cases." in page.inner_text("#cases-error")
    wait = page.inner_text("#unlock-wait")
    assert wait.startswith("Wait 5 seconds before trying again.")

    page.clock.run_for(2000)
    expect(page.locator("#unlock-wait-line")).to_have_text("Wait 3 seconds before trying again.")
    unlock_with(page, PASSPHRASE)  # too soon: not tried, and the page says so
    assert "was not tried" in page.inner_text("#cases-error")
    assert page.locator("#case-list").count() == 0

    clock.now += 5
    page.clock.run_for(6000)
    expect(page.locator("#unlock-wait-line")).to_have_text("You can try your passphrase again now.")
    unlock_with(page, PASSPHRASE)
    expect(page.locator("#case-list")).to_contain_text(LABEL)
    assert watched.foreign() == []


def test_a_selfcheck_kept_with_the_open_case(watched: Watched, server: LiveServer, vault_path: Path) -> None:
    stored_vault(vault_path)
    page = watched.page
    page.goto(server.base + "/")
    page.click("#continue")
    page.wait_for_url(server.base + "/upload")
    go_to_cases(page)
    unlock_with(page, PASSPHRASE)
    page.locator("#case-list tbody tr").first.locator("button", has_text="Open").click()
    page.wait_for_selector("#timeline-chart")

    page.click("nav a[href='/selfcheck']")
    page.wait_for_url(server.base + "/selfcheck")
    for number in range(1, 19):
        page.check(f"#q-{number} input[value='{number % 4}']")
    page.click("#selfcheck-button")
    page.wait_for_selector("#keep-selfcheck-form")  # offered, not done
    band = page.inner_text("#band")
    assert page.locator("#keep-with-case option").all_inner_texts() == [LABEL]
    page.click("#keep-selfcheck-button")
    expect(page.locator("#selfcheck-notice")).to_contain_text(f'kept with "{LABEL}"')

    go_to_cases(page)
    page.locator("#case-list tbody tr").first.locator("button", has_text="Open").click()
    page.wait_for_selector("#kept-with")
    assert band in page.inner_text("#kept-with")
    page.click("#kept-selfcheck-1")
    page.wait_for_selector("#selfcheck-stored")
    assert page.inner_text("#band") == band
    assert watched.foreign() == []
