"""Helpers for the web tests: a TestClient as a browser on 127.0.0.1, and a live server in a thread."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from fastapi.testclient import TestClient

from bondlens.web import WebConfig, bind, create_app
from bondlens.web.server import make_server
from tests.conftest import EXAMPLES

SAMPLE = EXAMPLES / "whatsapp_cycle.txt"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def client(**config: object) -> TestClient:
    """A client whose requests carry ``Host: 127.0.0.1:8765``, as a browser on this computer would send."""
    return TestClient(create_app(WebConfig(port=PORT, **config)), base_url=BASE)  # type: ignore[arg-type]


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match[1]


def past_safety(c: TestClient) -> str:
    """Read the safety screen and continue; returns the session's CSRF token."""
    token = csrf_of(c.get("/").text)
    assert c.post("/safety", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    return token


def upload(c: TestClient, token: str, name: str, data: bytes, **fields: str) -> tuple[int, str]:
    """POST an upload; (status, Location)."""
    r = c.post(
        "/upload",
        data={"csrf_token": token, **fields},
        files={"file": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )
    return r.status_code, r.headers.get("location", "")


def analysed_case(c: TestClient, token: str, me: str = "Alex", timeout: float = 180) -> str:
    """Upload the sample, choose ``me``, wait for the analysis; the case's address."""
    status, location = upload(c, token, "WhatsApp Chat with Jordan.txt", SAMPLE.read_bytes())
    assert status == 303 and location.endswith("/me"), location
    r = c.post(location, data={"csrf_token": token, "me": me}, follow_redirects=False)
    assert r.status_code == 303
    case = r.headers["location"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = c.get(f"{case}/status").json()
        assert state["state"] != "failed", state
        if state["state"] == "done":
            return str(case)
        time.sleep(0.2)
    raise AssertionError("the analysis did not finish in time")


@dataclass
class LiveServer:
    base: str
    config: WebConfig
    server: uvicorn.Server


@contextmanager
def live_server(**config: object) -> Iterator[LiveServer]:
    """The real server (uvicorn) on a free loopback port, in a thread."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    cfg = WebConfig(port=port, **config)  # type: ignore[arg-type]
    server = make_server(cfg, sock)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", cfg, server)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
