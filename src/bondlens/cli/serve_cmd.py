"""`bondlens serve`: the local web app, on this computer only (127.0.0.1) unless --host says otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bondlens.cli.app import app, err_console, friendly_errors
from bondlens.cli.options import parse_size
from bondlens.errors import BondlensError

PortOpt = Annotated[
    int, typer.Option("--port", "-p", min=0, max=65535, help="The port to listen on (0: any free one).")
]
HostOpt = Annotated[
    str | None,
    typer.Option(
        "--host",
        help="Listen on this address instead of 127.0.0.1. Anyone who can reach that address could then use the "
        "app and see what is opened in it: only for a network you fully trust.",
    ),
]
ServeVaultOpt = Annotated[
    Path | None,
    typer.Option(
        "--vault",
        metavar="FILE",
        envvar="BONDLENS_VAULT",
        help='The vault for "Your cases" (default: vault.db in your bondlens data folder, e.g. '
        "~/.local/share/bondlens). It is created only when you ask for it on the page.",
        show_default=False,
    ),
]
WebMaxSizeOpt = Annotated[str, typer.Option("--max-size", help="Refuse uploads larger than this (e.g. 500MB).")]

REMOTE_WARNING = (
    "WARNING: bondlens is listening on {host}, not only on this computer. Anyone who can reach this address on "
    "the network can open the app and see the chats opened in it. Stop it (Ctrl+C) unless you are sure that "
    "network is yours alone."
)


@app.command("serve")
@friendly_errors
def serve_command(
    port: PortOpt = 8765, host: HostOpt = None, max_size: WebMaxSizeOpt = "200MB", vault: ServeVaultOpt = None
) -> None:
    """Open bondlens in your web browser: a private page on this computer, with a quick exit (Esc) on every page.

    Example: bondlens serve, then open the address it prints. Nothing you open is sent anywhere, or saved unless
    you keep it in "Your cases" (encrypted with your passphrase).
    """
    try:
        from bondlens.web import WebConfig, serve
        from bondlens.web.config import LOOPBACK, is_loopback
    except ImportError as exc:  # the web extra is not installed
        raise BondlensError(
            f"the web app needs FastAPI, uvicorn and python-multipart ({exc.name} is missing); "
            "install them with: pip install 'bondlens[web]'"
        ) from None
    chosen = LOOPBACK if host is None else host.strip()
    if not is_loopback(chosen):
        err_console.print(REMOTE_WARNING.format(host=chosen), style="bold red", markup=False, soft_wrap=True)
    config = WebConfig(port=port, host=chosen, max_bytes=parse_size(max_size), vault_path=vault)

    def ready(address: str) -> None:
        err_console.print(
            f"bondlens is running at {address} (open it in your browser; a private window leaves no history).\n"
            "Press Ctrl+C to stop. Everything opened in it is forgotten when it stops, except the cases you keep "
            "(encrypted).",
            markup=False,
            soft_wrap=True,
        )

    serve(config, on_ready=ready)
