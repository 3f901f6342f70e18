"""Rendering pages: the Jinja2 templates, what every page gets, and the error pages."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from bondlens.render.page import NEUTRAL_TITLE
from bondlens.web.config import WebConfig
from bondlens.web.jobs import Analyser
from bondlens.web.security import SESSION_SCOPE_KEY, redirect, wants_json
from bondlens.web.sessions import Session, SessionStore
from bondlens.web.vaults import VaultHolder

STATIC = Path(__file__).parent / "static"


@dataclass
class WebState:
    config: WebConfig
    store: SessionStore
    analyser: Analyser
    vault: VaultHolder


@cache
def templates() -> Environment:
    return Environment(
        loader=PackageLoader("bondlens", "web/templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def state(request: Request) -> WebState:
    found: WebState = request.app.state.web
    return found


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page: ``template`` with what every page needs (the CSRF token, the quick-exit address, a neutral title)."""
    session = request.scope.get(SESSION_SCOPE_KEY)
    web = state(request)
    context.setdefault("title", NEUTRAL_TITLE)  # the tab and the browser history say nothing about the subject
    page = (
        templates()
        .get_template(template)
        .render(
            csrf=session.csrf if isinstance(session, Session) else "",
            safety_read=isinstance(session, Session) and session.safety_read,
            neutral_url=web.config.neutral_url,
            path=request.url.path,
            **context,
        )
    )
    return HTMLResponse(page, status_code=status_code)


ERROR_TITLES = {
    400: "That request could not be used",
    403: "That form has expired",
    404: "Not here",
    405: "Not allowed",
    413: "The file is too large",
}


async def http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, StarletteHTTPException) else 400
    if isinstance(exc, StarletteHTTPException) and 300 <= status < 400 and exc.headers:
        if request.method == "POST":  # app.js opens the address itself, as after any form
            return redirect(request.scope, exc.headers["location"])
        return RedirectResponse(exc.headers["location"], status_code=status)
    detail = exc.detail if isinstance(exc, StarletteHTTPException) else "The form was incomplete."
    if status == 404 and detail == "Not Found":
        detail = "There is no page at this address."
    if wants_json(request.scope) or request.url.path.startswith("/static/"):
        return PlainTextResponse(str(detail), status_code=status)
    return render(
        request, "error.html", status, heading=ERROR_TITLES.get(status, "Something went wrong"), message=detail
    )
