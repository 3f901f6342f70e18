"""Helpers the JSON importers' mutation tests share: every path inside a parsed export, a copy with one value
replaced, and the check that a broken export fails only with our own one-line error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bondlens.errors import BondlensError
from bondlens.model import Conversation


def raises_only_our_errors(load: Callable[[], Conversation]) -> None:
    """``load()`` either gives a conversation with messages or raises a one-line ``BondlensError``."""
    try:
        conversation = load()
    except BondlensError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert conversation.messages


def paths_in(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path inside nested dicts and lists, the root included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_in(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_in(item, (*prefix, index))
    return found


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """A copy of ``value`` with the item at ``path`` replaced by ``new`` (the original is untouched)."""
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = replaced(value[path[0]], path[1:], new)
    return copy
