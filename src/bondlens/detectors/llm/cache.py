"""The answers already given, so a second run over the same chat asks the server nothing.

Keyed by the SHA-256 of (prompt version, model, what was looked for, the message with its context): a new
model or prompt asks again. Kept in ``$XDG_CACHE_HOME/bondlens/llm-cache.json`` (default ``~/.cache``), a
file readable only by you (0600, in a 0700 folder), or only in memory with ``--no-cache``. It holds the quotes
the model gave, so it is as private as the chat: delete the file to forget them."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from bondlens.detectors.llm.config import LLMError

CACHE_VERSION = 1


def cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bondlens" / "llm-cache.json"


def cache_key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()


class AnswerCache:
    """A dict of key → the model's claims for one message; ``path=None`` keeps it in memory only."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._entries: dict[str, list[dict[str, Any]]] = {}
        self._dirty = False
        self._lock = threading.Lock()
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = None  # an unreadable cache is only a cache: start again
            if isinstance(data, dict) and data.get("version") == CACHE_VERSION:
                entries = data.get("entries")
                if isinstance(entries, dict):
                    self._entries = entries

    def get(self, key: str) -> list[dict[str, Any]] | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: str, claims: list[dict[str, Any]]) -> None:
        with self._lock:
            self._entries[key] = claims
            self._dirty = True

    def save(self) -> None:
        """Write the file whole (a temporary file renamed over it), readable only by its owner."""
        if self.path is None or not self._dirty:
            return
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=".llm-cache-", dir=folder)  # mkstemp creates it 0600
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump({"version": CACHE_VERSION, "entries": self._entries}, fh, ensure_ascii=False)
                os.chmod(tmp, 0o600)
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise LLMError(f"cannot write the LLM cache {self.path} ({exc.strerror or exc}); try --no-cache") from None
        self._dirty = False
