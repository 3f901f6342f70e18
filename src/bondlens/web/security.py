"""What keeps the app private: one pure ASGI middleware in front of every response, and the CSRF check.

The middleware, for every HTTP request:

* refuses a Host header that does not name this app (400), so a web page elsewhere cannot reach it through
  DNS rebinding; refuses a POST whose Origin is another site (403), a body larger than the upload limit (the
  upload page says so) and methods the app does not use (405);
* finds the browser's session from its one cookie, or starts one (pages only, not static files);
* adds to every response, its own refusals included: ``Cache-Control: no-store``, a Content-Security-Policy
  that allows nothing from any other origin and no inline script or style (the chart images alone keep
  :data:`IMAGE_CONTENT_SECURITY_POLICY`, which allows their inline styles and nothing else),
  ``Referrer-Policy: no-referrer`` and the usual hardening headers.

Every POST must carry the session's CSRF token (:func:`check_csrf`, a dependency of every route).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from fastapi import HTTPException, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from bondlens.web.config import WebConfig
from bondlens.web.sessions import SESSION_COOKIE, Session, SessionStore

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# For the charts, SVG documents shown with <img> (where they can run no script and load nothing): matplotlib
# writes their colours as inline styles. Still nothing from any other origin.
IMAGE_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("cache-control", "no-store"),
    ("pragma", "no-cache"),
    ("expires", "0"),
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
)
SESSION_SCOPE_KEY = "bondlens.session"
FETCH_HEADER = "x-bondlens-fetch"  # set by app.js when it submits a form itself (answered with JSON)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
FORM_OVERHEAD_BYTES = 1024 * 1024  # multipart boundaries and the small fields next to the file
UNSAFE_METHODS = frozenset({"POST"})
TOO_LARGE_ERROR = "too-large"


def session_cookie(session_id: str, *, expire: bool = False) -> str:
    """The one cookie: HttpOnly, SameSite=Strict, no Max-Age (gone when the browser closes), or expired."""
    value = "" if expire else session_id
    cookie = f"{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict"
    return cookie + "; Max-Age=0" if expire else cookie


def _session_id(headers: Headers) -> str | None:
    raw = headers.get("cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed cookie header: treat as no session
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel is not None and morsel.value else None


class SecurityMiddleware:
    """Host check, Origin check, body limit, session cookie and security headers for every response."""

    def __init__(self, app: ASGIApp, config: WebConfig, store: SessionStore) -> None:
        self.app = app
        self.config = config
        self.store = store
        self.body_limit = config.max_bytes + FORM_OVERHEAD_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # no websockets here
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            return
        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await refusal(scope, receive, self._with_headers(send, None))
            return
        new_cookie: str | None = None
        if not scope["path"].startswith("/static/"):
            session = self.store.get(_session_id(headers))
            if session is None:
                session = self.store.create()
                new_cookie = session_cookie(session.id)
            scope[SESSION_SCOPE_KEY] = session
        await self.app(scope, receive, self._with_headers(send, new_cookie))

    def _refusal(self, scope: Scope, headers: Headers) -> Response | None:
        if not self.config.host_allowed(headers.get("host", "")):
            return PlainTextResponse(
                "This address is not allowed. Open bondlens at the address it printed when it started "
                "(http://127.0.0.1:PORT/).",
                status_code=400,
            )
        method = scope["method"]
        if method not in ("GET", "HEAD", "POST"):
            return PlainTextResponse("Method not allowed.", status_code=405, headers={"allow": "GET, HEAD, POST"})
        if method != "POST":
            return None
        origin = headers.get("origin")
        # Browsers send "Origin: null" for our own forms, since every page sets Referrer-Policy: no-referrer;
        # the CSRF token protects those. A named origin must be this app.
        if origin is not None and origin != "null" and not self.config.origin_allowed(origin):
            return PlainTextResponse("Forms can only be sent from bondlens's own pages.", status_code=403)
        length = headers.get("content-length")
        if length is None:
            if headers.get("transfer-encoding"):
                return PlainTextResponse("Send the file with a length (Content-Length).", status_code=411)
            return None
        if not length.isdigit():
            return PlainTextResponse("Bad Content-Length.", status_code=400)
        if int(length) > self.body_limit:
            return redirect(scope, f"/upload?error={TOO_LARGE_ERROR}")
        return None

    @staticmethod
    def _with_headers(send: Send, new_cookie: str | None) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                own_policy = headers.get("content-security-policy") == IMAGE_CONTENT_SECURITY_POLICY
                for name, value in SECURITY_HEADERS:
                    if not (own_policy and name == "content-security-policy"):
                        headers[name] = value
                if "server" in headers:
                    del headers["server"]
                if new_cookie is not None and not any(c.startswith(f"{SESSION_COOKIE}=") for c in _cookies(headers)):
                    headers.append("set-cookie", new_cookie)
            await send(message)

        return wrapped


def _cookies(headers: MutableHeaders) -> list[str]:
    return headers.getlist("set-cookie")


def wants_json(scope: Scope) -> bool:
    return Headers(scope=scope).get(FETCH_HEADER) == "1"


def redirect(scope: Scope, location: str) -> Response:
    """After a POST: a 303 to ``location``, or for app.js's own submissions ``{"location": ...}``, which it
    opens with location.replace() so the app keeps a single entry in the browser's history."""
    if wants_json(scope):
        return JSONResponse({"location": location})
    return RedirectResponse(location, status_code=303)


def current_session(request: Request) -> Session:
    session = request.scope.get(SESSION_SCOPE_KEY)
    if not isinstance(session, Session):  # only static files have none, and they have no routes here
        raise HTTPException(status_code=400, detail="No session.")
    return session


async def check_csrf(request: Request) -> None:
    """Refuse (403) any POST without this session's CSRF token, in the form or the X-CSRF-Token header."""
    if request.method not in UNSAFE_METHODS:
        return
    session = request.scope.get(SESSION_SCOPE_KEY)
    if not isinstance(session, Session) or not session.csrf:
        raise HTTPException(status_code=403, detail="This form has expired. Reload the page and try again.")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        try:
            form = await request.form(max_files=1, max_fields=20)
        except Exception:
            raise HTTPException(status_code=400, detail="The form could not be read.") from None
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if sent is None or not secrets.compare_digest(sent.encode(), session.csrf.encode()):
        raise HTTPException(status_code=403, detail="This form has expired. Reload the page and try again.")
