"""Running the app with uvicorn on a socket bondlens binds itself (so a busy port is a clear error)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import replace

import uvicorn

from bondlens.errors import BondlensError
from bondlens.web.app import create_app
from bondlens.web.config import WebConfig


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (port 0: any free port); a one-line error when it is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno in (98, 48):  # EADDRINUSE on Linux, macOS
            raise BondlensError(
                f"port {port} is already in use; choose another with --port, e.g. --port {port + 1}"
            ) from None
        raise BondlensError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def make_server(config: WebConfig, sock: socket.socket) -> uvicorn.Server:
    """A uvicorn server for ``config`` (whose port must be the socket's); no access log, no Server header."""
    uv = uvicorn.Config(
        create_app(config),
        log_level="warning",
        access_log=False,  # the addresses visited are nobody's business, not even a terminal's scrollback
        server_header=False,
        date_header=False,
        proxy_headers=False,
        lifespan="on",
    )
    return uvicorn.Server(uv)


def serve(config: WebConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Listen and serve until interrupted. ``on_ready`` gets the address to open."""
    sock = bind(config.host, config.port)
    port = sock.getsockname()[1]
    if port != config.port:
        config = replace(config, port=port)
    server = make_server(config, sock)
    if on_ready is not None:
        on_ready(
            f"http://127.0.0.1:{port}/" if config.host in ("127.0.0.1", "0.0.0.0") else f"http://{config.host}:{port}/"
        )
    server.run(sockets=[sock])
