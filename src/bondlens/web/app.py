"""The FastAPI application: :func:`create_app` puts the routes behind the security middleware."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from bondlens.web.config import WebConfig
from bondlens.web.jobs import Analyser
from bondlens.web.pages import STATIC, WebState, http_error
from bondlens.web.routes import router
from bondlens.web.security import SecurityMiddleware
from bondlens.web.sessions import SessionStore


def create_app(config: WebConfig | None = None) -> FastAPI:
    """The app for one server. Everything uploaded lives in this app's memory and dies with it."""
    config = config or WebConfig()
    web = WebState(config=config, store=SessionStore(config.session_idle_seconds), analyser=Analyser())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        web.analyser.warm_up()
        yield
        web.analyser.shutdown()
        web.store.clear()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.web = web
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, http_error)
    app.add_middleware(SecurityMiddleware, config=config, store=web.store)
    return app
