"""What a detector is: a name, a version, the labels it can emit, and ``detect``."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bondlens.model import Conversation, Finding


@runtime_checkable
class Detector(Protocol):
    """Finds indications message by message.

    ``me`` is the participant id of the person using bondlens: tactic labels are looked for in the other
    people's messages and sign labels in ``me``'s own. With ``me=None`` every message is read for both.
    """

    name: str
    version: str
    labels: tuple[str, ...]

    def detect(self, conversation: Conversation, *, me: str | None = None) -> list[Finding]: ...
