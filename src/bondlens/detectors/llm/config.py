"""Where the LLM detector's settings come from (command line, then ``config.toml``) and which URLs it may use."""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from bondlens.errors import BondlensError

DEFAULT_URL = "http://127.0.0.1:11434/v1"  # Ollama's OpenAI-compatible endpoint
REMOTE_WARNING = (
    "warning: --allow-remote: the LLM server {host} is not on this computer; the messages of this conversation "
    "will leave this machine and be sent to it."
)


class LLMError(BondlensError):
    """The LLM server could not be used (unreachable, unknown model, refused URL, unusable answers)."""


@dataclass(frozen=True)
class LLMConfig:
    """Settings of the LLM detector. ``model`` has no default: the server decides which names exist."""

    url: str = DEFAULT_URL
    model: str | None = None
    allow_remote: bool = False
    use_cache: bool = True
    timeout: float = 60.0  # seconds per request
    retries: int = 2  # extra attempts after a timeout, a 5xx answer or unusable JSON
    backoff: float = 0.5  # seconds before the first retry; doubles each time
    concurrency: int = 2  # requests in flight at once
    batch_size: int = 8  # messages judged per request
    context: int = 3  # earlier messages shown with each batch
    api_key: str | None = None  # sent as a bearer token if set (some local servers want one)

    def merged(self, **overrides: Any) -> LLMConfig:
        """A copy with every override that is not None (the command line wins over the file)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def config_path() -> Path:
    """``$XDG_CONFIG_HOME/bondlens/config.toml`` (default ``~/.config/bondlens/config.toml``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "bondlens" / "config.toml"


_TYPES: dict[str, type | tuple[type, ...]] = {
    "url": str,
    "model": str,
    "allow_remote": bool,
    "use_cache": bool,
    "timeout": (int, float),
    "retries": int,
    "backoff": (int, float),
    "concurrency": int,
    "batch_size": int,
    "context": int,
    "api_key": str,
}


def load_config(path: Path | None = None) -> LLMConfig:
    """The ``[llm]`` table of the config file (a missing file gives the defaults)."""
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return LLMConfig()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LLMError(f"{path}: cannot read the configuration ({exc})") from None
    table: Any = data.get("llm", {})
    if not isinstance(table, dict):
        raise LLMError(f"{path}: [llm] must be a table")
    values: dict[str, Any] = {}
    for key, value in table.items():
        expected = _TYPES.get(key)
        if expected is None:
            raise LLMError(f"{path}: unknown setting llm.{key} (known: {', '.join(sorted(_TYPES))})")
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise LLMError(f"{path}: llm.{key} has the wrong type ({type(value).__name__})")
        values[key] = float(cast(float, value)) if key in ("timeout", "backoff") else value
    config = LLMConfig().merged(**values)
    _check_numbers(config, str(path))
    return config


def _check_numbers(config: LLMConfig, where: str) -> None:
    if config.timeout <= 0 or config.retries < 0 or config.backoff < 0:
        raise LLMError(f"{where}: timeout must be > 0, retries and backoff ≥ 0")
    if config.concurrency < 1 or config.batch_size < 1 or config.context < 0:
        raise LLMError(f"{where}: concurrency and batch_size must be ≥ 1, context ≥ 0")


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and ``localhost`` (no name is resolved: that could itself reach the network)."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, allow_remote: bool) -> str | None:
    """Refuse a URL that is not on this computer unless ``allow_remote``; return the warning to show, if any."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LLMError(f"--llm-url must be an http:// or https:// address with a host, not {url!r}")
    if is_loopback(parts.hostname):
        return None
    if not allow_remote:
        raise LLMError(
            f"refusing to send the conversation to {parts.hostname}: --llm-url must be on this computer "
            "(127.0.0.1, ::1 or localhost); add --allow-remote if you really mean to send it elsewhere"
        )
    return REMOTE_WARNING.format(host=parts.hostname)
