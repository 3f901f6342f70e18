"""A person's way through the app in a real browser (Debian's Chromium, driven by Playwright).

Upload the sample export, choose who "me" is, see the timeline and a cycle with its evidence, then press Esc
and land on the neutral site with Back not returning. The neutral site is answered by a local stub, and every
request the page makes is recorded: none may go to any origin but the app's own.

Set BONDLENS_WEB_SCREENSHOTS=docs to (re)write the README's screenshots docs/web_*.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bondlens.web.config import NEUTRAL_URL
from tests.conftest import ROOT
from tests.web.helpers import SAMPLE, LiveServer, live_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NEUTRAL_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(NEUTRAL_URL))
STUB = "<!doctype html><title>Weather</title><h1>Weather stub</h1>"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's Chromium is not installed (/usr/bin/chromium): apt-get install chromium"
)

if CHROMIUM.exists():
    from playwright.sync_api import Browser, Page, Route, sync_playwright


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server() as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class Watched:
    """A page whose every request is recorded; the neutral site is a local stub, anything else is refused."""

    def __init__(self, browser: Browser, server: LiveServer) -> None:
        self.context = browser.new_context(viewport={"width": 1100, "height": 900}, service_workers="block")
        self.page: Page = self.context.new_page()
        self.requests: list[tuple[str, str]] = []  # (url, resource type)
        self.server = server
        self.page.on("request", lambda request: self.requests.append((request.url, request.resource_type)))
        self.context.route("**/*", self._route)

    def _route(self, route: Route) -> None:
        url = route.request.url
        if origin(url) == self.server.base:
            route.continue_()
        elif url.startswith(NEUTRAL_ORIGIN):
            route.fulfill(status=200, content_type="text/html", body=STUB)
        else:
            route.abort()

    def foreign(self) -> list[tuple[str, str]]:
        return [(u, kind) for u, kind in self.requests if origin(u) != self.server.base]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Browser, server: LiveServer) -> Iterator[Watched]:
    w = Watched(browser, server)
    yield w
    w.close()


def shots() -> Path | None:
    where = os.environ.get("BONDLENS_WEB_SCREENSHOTS")
    if not where:
        return None
    folder = Path(where) if Path(where).is_absolute() else ROOT / where
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page: Page, name: str, tmp_path: Path, selector: str | None = None) -> None:
    """The page as it is on screen (``selector``: that element only)."""
    path = str((shots() or tmp_path) / f"web_{name}.png")
    if selector is None:
        page.screenshot(path=path)
    else:
        page.locator(selector).screenshot(path=path)


def long_export(tmp_path: Path, copies: int) -> Path:
    """The sample chat, ``copies`` times over, a year apart each time."""
    text = SAMPLE.read_text(encoding="utf-8")
    big = tmp_path / "WhatsApp Chat with Jordan.txt"
    big.write_text("".join(text.replace("/2026, ", f"/{2026 + k}, ") for k in range(copies)), encoding="utf-8")
    return big


def test_upload_analyse_and_leave_with_esc(watched: Watched, server: LiveServer, tmp_path: Path) -> None:
    page = watched.page
    page.goto(server.base + "/")
    entries = page.evaluate("history.length")
    assert page.title() == "Notes"
    assert page.locator("#safety-title").is_visible()
    assert page.locator("#quick-exit").is_visible()
    screenshot(page, "safety", tmp_path)

    page.click("#continue")
    page.wait_for_url(server.base + "/upload")
    page.set_input_files("#file", str(SAMPLE))
    screenshot(page, "upload", tmp_path)
    page.click("#upload-button")
    page.wait_for_url("**/me")
    people = page.locator("label.person").all_inner_texts()
    assert any("Alex" in p for p in people) and any("Jordan" in p for p in people)
    page.check("input[name=me][value=Alex]")
    screenshot(page, "me", tmp_path)
    page.click("#me-button")

    # the progress page moves on by itself
    page.wait_for_selector("#timeline-chart", timeout=180_000)
    page.wait_for_load_state("load")
    for chart in ("#timeline-chart", "#tactics-chart"):  # the report's charts, drawn (not blocked by the CSP)
        assert page.eval_on_selector(chart, "img => img.complete && img.naturalWidth > 300"), chart
    cycle = page.locator("#cycle-1")
    assert cycle.is_visible()
    assert cycle.locator("ol.harm li").count() >= 1
    assert cycle.locator("ol.reinforcement li").count() >= 1
    assert "You looked pathetic." in cycle.locator("mark").all_inner_texts()
    screenshot(page, "analysis", tmp_path)
    screenshot(page, "timeline", tmp_path, "#timeline")
    screenshot(page, "cycle", tmp_path, "#cycle-1")

    # an in-page link, the self-check and another page, before leaving
    page.click("a[href='#signs']")
    page.click("nav a[href='/selfcheck']")
    page.wait_for_url(server.base + "/selfcheck")
    for number, value in enumerate((2, 1, 3, 0, 2, 2, 1, 1, 0, 2, 3, 1, 0, 0, 1, 2), start=1):
        page.check(f"#q-{number} input[value='{value}']")
    screenshot(page, "selfcheck", tmp_path)
    page.click("#selfcheck-button")
    page.wait_for_url(server.base + "/selfcheck/result")
    assert page.inner_text("#band") in ("Few signs", "Some signs", "Many signs")
    screenshot(page, "selfcheck_result", tmp_path)
    page.click("nav a[href='/plan']")
    page.wait_for_url(server.base + "/plan")
    page.fill("#notes-support", "my sister Ana; code word: blue kettle")
    page.click("#plan-save")
    page.wait_for_selector("#plan-saved")
    screenshot(page, "plan", tmp_path)
    page.click("nav a[href='/resources']")
    page.wait_for_url(server.base + "/resources")
    page.select_option("#country", "UK")
    page.click("#country-form button")
    page.wait_for_url("**/resources?country=UK")
    assert "999" in page.inner_text(".danger-box")
    screenshot(page, "resources", tmp_path)
    # links and forms replace the page: the whole visit is still one entry in the browser's history
    assert page.evaluate("history.length") == entries

    assert watched.foreign() == [], "the app made requests to another origin"

    page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL_URL)
    assert "Weather stub" in page.content()
    page.go_back()
    page.wait_for_timeout(500)
    assert not page.url.startswith(server.base), f"Back returned to the app: {page.url}"

    # the only request outside the app was the quick exit's navigation to the neutral site
    assert watched.foreign() == [(NEUTRAL_URL, "document")]


def test_progress_is_shown_while_a_long_export_is_read(watched: Watched, server: LiveServer, tmp_path: Path) -> None:
    page = watched.page
    page.goto(server.base + "/")
    page.click("#continue")
    page.wait_for_url(server.base + "/upload")
    page.set_input_files("#file", str(long_export(tmp_path, 40)))
    page.click("#upload-button")
    page.wait_for_url("**/me")
    page.check("input[name=me][value=Alex]")
    page.click("#me-button")
    page.wait_for_selector("#job-bar")
    assert "Reading the messages" in page.inner_text("h1")
    page.wait_for_function("document.getElementById('job-bar').value > 0", timeout=60_000)
    screenshot(page, "progress", tmp_path)
    page.wait_for_selector("#timeline-chart", timeout=300_000)  # and it moves on by itself
    assert "27" in page.inner_text(".lead")  # 27,5xx messages
    assert watched.foreign() == []


def test_the_quick_exit_button_leaves_without_a_way_back(watched: Watched, server: LiveServer) -> None:
    page = watched.page
    page.goto(server.base + "/")
    page.click("#continue")
    page.wait_for_url(server.base + "/upload")
    page.click("#quick-exit")
    page.wait_for_url(NEUTRAL_URL)
    page.go_back()
    page.wait_for_timeout(500)
    assert not page.url.startswith(server.base), f"Back returned to the app: {page.url}"
    assert [u for u, _ in watched.foreign()] == [NEUTRAL_URL]


def test_forget_everything(watched: Watched, server: LiveServer) -> None:
    page = watched.page
    page.goto(server.base + "/")
    page.click("#continue")
    page.wait_for_url(server.base + "/upload")
    page.set_input_files("#file", str(SAMPLE))
    page.click("#upload-button")
    page.wait_for_url("**/me")
    case = page.url.removesuffix("/me")
    page.click("#forget")
    page.wait_for_url(server.base + "/")
    assert page.locator("#safety-title").is_visible()  # a new session: the safety screen again
    assert [c["name"] for c in watched.context.cookies()] == ["bondlens_session"]  # one cookie, a new one
    page.click("#continue")
    page.wait_for_url(server.base + "/upload")
    assert page.locator(".cases").count() == 0  # nothing of the old session is left
    page.goto(case)
    assert "no longer here" in page.inner_text("main")


def test_an_upload_error_is_shown_on_the_page(watched: Watched, server: LiveServer, tmp_path: Path) -> None:
    page = watched.page
    page.goto(server.base + "/")
    page.click("#continue")
    page.wait_for_url(server.base + "/upload")
    bad = tmp_path / "photo.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    page.set_input_files("#file", str(bad))
    page.click("#upload-button")
    page.wait_for_selector("#upload-error")
    assert "photo.png: a binary file bondlens does not recognise" in page.inner_text("#upload-error")
    screenshot(page, "upload_error", tmp_path)
    assert watched.foreign() == []


def test_csp_blocks_nothing_the_app_needs(watched: Watched, server: LiveServer) -> None:
    """No console errors (a CSP violation is one) on the pages."""
    errors: list[str] = []
    watched.page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    watched.page.goto(server.base + "/")
    watched.page.click("#continue")
    watched.page.wait_for_url(server.base + "/upload")
    watched.page.goto(server.base + "/resources")
    assert errors == []
