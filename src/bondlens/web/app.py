"""The FastAPI application: :func:`create_app` puts the routes behind the security middleware."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from bondlens.vault import default_vault_path
from bondlens.web.config import WebConfig
from bondlens.web.jobs import Analyser
from bondlens.web.pages import STATIC, WebState, http_error
from bondlens.web.routes import router
from bondlens.web.security import SecurityMiddleware
from bondlens.web.sessions import SessionStore
from bondlens.web.vault_routes import router as vault_router
from bondlens.web.vaults import VaultHolder


def create_app(config: WebConfig | None = None) -> FastAPI:
    """The app for one server. Everything uploaded lives in this app's memory and dies with it, unless the person
    keeps it in the encrypted vault ("Your cases")."""
    config = config or WebConfig()
    vault = VaultHolder(
        config.vault_path or default_vault_path(), idle_minutes=config.vault_idle_minutes, kdf=config.vault_kdf
    )
    web = WebState(config=config, store=SessionStore(config.session_idle_seconds), analyser=Analyser(), vault=vault)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        web.analyser.warm_up()
        yield
        web.analyser.shutdown()
        web.store.clear()
        web.vault.lock()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.web = web
    app.include_router(router)
    app.include_router(vault_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, http_error)
    app.add_middleware(SecurityMiddleware, config=config, store=web.store)
    return app
