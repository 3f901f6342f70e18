"""Settings of one running web app. Defaults are the safe ones: loopback only, a modest upload limit."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from bondlens.vault import DEFAULT_IDLE_MINUTES, KdfParams

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
# Where the quick exit goes. The app only ever *navigates* there (location.replace); it never fetches it.
NEUTRAL_URL = "https://www.bbc.co.uk/weather"
SESSION_IDLE_SECONDS = 2 * 60 * 60  # a session not used for this long is forgotten, with its cases
WILDCARD_HOSTS = ("0.0.0.0", "::")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _ip_literal(host: str) -> str | None:
    """The address in a Host header's host part ('192.168.1.5', '[fe80::1]'), or None for a name."""
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class WebConfig:
    """Where the server listens, and what it accepts. Only ``127.0.0.1:PORT`` and ``localhost:PORT`` are valid
    Host headers, unless the person chose another ``host`` (then that address too; for a wildcard address,
    any IP address, never a name, so a DNS-rebinding page cannot reach the app)."""

    port: int = DEFAULT_PORT
    host: str = LOOPBACK
    max_bytes: int = DEFAULT_MAX_BYTES
    neutral_url: str = NEUTRAL_URL
    session_idle_seconds: float = SESSION_IDLE_SECONDS
    vault_path: Path | None = None  # the vault of "Your cases"; None: the default (bondlens's data folder)
    vault_idle_minutes: float | None = DEFAULT_IDLE_MINUTES  # the vault locks itself after this long unused
    vault_kdf: KdfParams | None = None  # scrypt cost of a vault created here; None: the vault's default

    def host_allowed(self, header: str) -> bool:
        """Whether a request's Host header names this app."""
        name, sep, port = header.rpartition(":")
        if not sep or port != str(self.port) or not name:
            return False
        if name in (LOOPBACK, "localhost"):
            return True
        if is_loopback(self.host):
            return False
        address = _ip_literal(name)
        if address is None:
            return False
        return self.host in WILDCARD_HOSTS or address == _ip_literal(self.host)

    def origin_allowed(self, origin: str) -> bool:
        """Whether a request's Origin header (sent by browsers on POST) is this app."""
        scheme, sep, rest = origin.partition("://")
        return scheme == "http" and bool(sep) and "/" not in rest and self.host_allowed(rest)
