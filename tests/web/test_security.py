"""The server's privacy and safety guarantees, checked with plain HTTP requests (no browser)."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from bondlens.web import WebConfig
from bondlens.web.config import NEUTRAL_URL
from bondlens.web.routes import router
from bondlens.web.security import CONTENT_SECURITY_POLICY
from bondlens.web.sessions import SessionStore
from tests.web.helpers import BASE, PORT, client, csrf_of, past_safety

REQUIRED_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": CONTENT_SECURITY_POLICY,
}


def assert_private_headers(headers: object) -> None:
    for name, value in REQUIRED_HEADERS.items():
        assert headers[name] == value, name  # type: ignore[index]
    assert "server" not in headers  # type: ignore[operator]


# -- Host header ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:8765",  # a DNS-rebinding page: a name that resolves to 127.0.0.1
        "127.0.0.1.nip.io:8765",
        "192.168.1.20:8765",
        "10.0.0.5:8765",
        "[::1]:8765",
        "127.0.0.1:9999",  # the right address, another port
        "127.0.0.1",
        "localhost",
        "",
    ],
)
def test_refuses_a_host_header_that_does_not_name_the_app(host: str) -> None:
    c = client()
    r = c.get("/", headers={"host": host})
    assert r.status_code == 400
    assert "not allowed" in r.text
    assert "set-cookie" not in r.headers  # no session for a refused request
    assert_private_headers(r.headers)
    assert c.post("/safety", headers={"host": host}).status_code == 400


@pytest.mark.parametrize("host", [f"127.0.0.1:{PORT}", f"localhost:{PORT}"])
def test_answers_loopback_host_headers(host: str) -> None:
    assert client().get("/", headers={"host": host}).status_code == 200


def test_host_rules_of_the_config() -> None:
    loopback = WebConfig(port=8765)
    assert loopback.host_allowed("127.0.0.1:8765") and loopback.host_allowed("localhost:8765")
    assert not loopback.host_allowed("192.168.1.5:8765")
    chosen = WebConfig(port=8765, host="192.168.1.5")
    assert chosen.host_allowed("192.168.1.5:8765") and chosen.host_allowed("127.0.0.1:8765")
    assert not chosen.host_allowed("192.168.1.6:8765") and not chosen.host_allowed("evil.example:8765")
    anywhere = WebConfig(port=8765, host="0.0.0.0")
    assert anywhere.host_allowed("10.1.2.3:8765")
    assert not anywhere.host_allowed("evil.example:8765")  # names never: they could be rebound
    assert not anywhere.host_allowed("10.1.2.3:80")


# -- headers and cookies -------------------------------------------------------------------------------------------


def test_every_kind_of_response_carries_the_private_headers() -> None:
    c = client()
    token = past_safety(c)
    responses = [
        c.get("/upload"),
        c.get("/static/app.js"),
        c.get("/static/app.css"),
        c.get("/static/no-such-file.css"),
        c.get("/no-such-page"),
        c.post("/safety", data={"csrf_token": "wrong"}),
        c.post("/upload", data={"csrf_token": token}, follow_redirects=False),
        c.put("/upload"),
        c.get("/", headers={"host": "evil.example:8765"}),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 404, 404, 403, 303, 405, 400]
    for r in responses:
        assert_private_headers(r.headers)


def test_the_content_security_policy_allows_no_other_origin_and_no_inline_code() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "http" not in CONTENT_SECURITY_POLICY and "*" not in CONTENT_SECURITY_POLICY
    assert "unsafe" not in CONTENT_SECURITY_POLICY and "data:" not in CONTENT_SECURITY_POLICY


def test_one_session_cookie_httponly_samesite_strict_and_nothing_else() -> None:
    c = client()
    first = c.get("/")
    cookies = first.headers.get_list("set-cookie")
    assert len(cookies) == 1
    cookie = cookies[0]
    assert cookie.startswith("bondlens_session=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Max-Age" not in cookie and "Expires" not in cookie  # gone when the browser closes
    assert c.get("/").headers.get_list("set-cookie") == []  # the browser has it now: not set again
    assert c.get("/static/app.css").headers.get_list("set-cookie") == []


def test_pages_load_nothing_from_elsewhere_and_have_no_inline_script_or_style() -> None:
    c = client()
    token = past_safety(c)
    c.post("/upload", data={"csrf_token": token})
    for page in (c.get("/"), c.get("/upload"), c.get("/resources")):
        html = page.text
        urls = re.findall(r'(?:src|href|action)="([^"]*)"', html)
        external = [u for u in urls if not u.startswith(("/", "#"))]
        assert external == [NEUTRAL_URL], external  # the quick exit, only ever navigated to
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
        assert "<style" not in html and " style=" not in html
        assert "<title>Notes</title>" in html  # a neutral title in the tab and in the browser's history


def test_quick_exit_on_every_page() -> None:
    c = client()
    past_safety(c)
    for path in ("/", "/upload", "/resources", "/no-such-page"):
        html = c.get(path).text
        assert f'id="quick-exit" class="quick-exit" href="{NEUTRAL_URL}"' in html, path
        assert '<script src="/static/app.js"></script>' in html
    script = c.get("/static/app.js").text
    assert "location.replace(exitUrl())" in script and '"Escape"' in script


def test_docs_and_openapi_are_off() -> None:
    c = client()
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert c.get(path).status_code == 404


# -- CSRF ----------------------------------------------------------------------------------------------------------


def post_routes() -> list[str]:
    paths = [r.path for r in router.routes if isinstance(r, APIRoute) and "POST" in (r.methods or set())]
    return [p.replace("{case_id}", "abc") for p in paths]


def test_there_are_post_routes_to_check() -> None:
    assert {"/safety", "/upload", "/forget", "/case/abc/me", "/case/abc/delete"} <= set(post_routes())


@pytest.mark.parametrize("path", post_routes())
def test_every_post_without_the_csrf_token_is_refused(path: str) -> None:
    c = client()
    token = past_safety(c)
    assert c.post(path, data={}).status_code == 403
    assert c.post(path, data={"csrf_token": "x" + token}).status_code == 403
    assert c.post(path, data={"csrf_token": ""}).status_code == 403
    assert c.post(path, headers={"x-csrf-token": token[:-1]}).status_code == 403


def test_a_token_from_another_session_is_refused() -> None:
    mine, theirs = client(), client()
    past_safety(mine)
    other_token = past_safety(theirs)
    r = mine.post("/forget", data={"csrf_token": other_token})
    assert r.status_code == 403
    assert "expired" in r.text


def test_a_post_without_a_session_is_refused() -> None:
    c = client()
    token = csrf_of(c.get("/").text)
    c.cookies.clear()
    assert c.post("/safety", data={"csrf_token": token}).status_code == 403


def test_the_right_token_is_accepted_in_the_form_or_the_header() -> None:
    c = client()
    token = csrf_of(c.get("/").text)
    assert c.post("/safety", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    r = c.post("/safety", headers={"x-csrf-token": token, "x-bondlens-fetch": "1"})
    assert r.status_code == 200 and r.json() == {"location": "/upload"}


def test_a_post_from_another_origin_is_refused_even_with_the_token() -> None:
    c = client()
    token = csrf_of(c.get("/").text)
    r = c.post("/safety", data={"csrf_token": token}, headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    ok = c.post("/safety", data={"csrf_token": token}, headers={"origin": BASE}, follow_redirects=False)
    assert ok.status_code == 303
    # with Referrer-Policy: no-referrer, browsers send "Origin: null" for the app's own forms
    null = c.post("/safety", data={"csrf_token": token}, headers={"origin": "null"}, follow_redirects=False)
    assert null.status_code == 303


def test_only_get_head_and_post() -> None:
    c = client()
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS"):
        assert c.request(method, "/").status_code == 405


# -- sessions ------------------------------------------------------------------------------------------------------


def test_pages_need_the_safety_screen_first() -> None:
    c = client()
    for path in ("/upload", "/resources", "/case/abc", "/case/abc/me"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/", path


def test_forget_drops_the_session_and_its_cookie() -> None:
    c = client()
    token = past_safety(c)
    r = c.post("/forget", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert any("Max-Age=0" in v for v in r.headers.get_list("set-cookie"))
    assert "cookies" in r.headers["clear-site-data"]
    # the old session is gone: its token no longer works, and pages ask for the safety screen again
    c.cookies.clear()
    assert c.get("/upload", follow_redirects=False).status_code == 303


def test_sessions_are_forgotten_after_being_idle() -> None:
    store = SessionStore(idle_seconds=60)
    session = store.create()
    assert store.get(session.id) is session
    session.last_seen -= 61
    assert store.get(session.id) is None and len(store) == 0
    assert store.get(None) is None and store.get("made-up") is None
