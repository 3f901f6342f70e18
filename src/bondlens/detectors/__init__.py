"""Detectors turn a conversation into findings. See :mod:`bondlens.detectors.base` for the protocol."""

from __future__ import annotations

from collections.abc import Sequence

from bondlens.detectors.base import Detector
from bondlens.detectors.registry import default_detectors, detector_entries, load_detector
from bondlens.model import Conversation, Finding


def detect(
    conversation: Conversation, detectors: Sequence[Detector] | None = None, *, me: str | None = None
) -> list[Finding]:
    """Run ``detectors`` (default: the built-in rules and message model) and return their findings in message
    order. When several detectors find the same label in the same message, the one with the highest score is
    kept (the earlier detector on a tie), so a message counts once per label; its ``detector`` field says which."""
    chosen = list(detectors) if detectors is not None else default_detectors()
    best: dict[tuple[int, str], Finding] = {}
    for detector in chosen:
        for finding in detector.detect(conversation, me=me):
            key = (finding.message_id, finding.label)
            if key not in best or finding.score > best[key].score:
                best[key] = finding
    return sorted(best.values(), key=lambda f: (f.message_id, f.span.start, f.label))


__all__ = ["Detector", "default_detectors", "detect", "detector_entries", "load_detector"]
