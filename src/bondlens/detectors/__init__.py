"""Detectors turn a conversation into findings. See :mod:`bondlens.detectors.base` for the protocol."""

from __future__ import annotations

from collections.abc import Sequence

from bondlens.detectors.base import Detector
from bondlens.detectors.registry import default_detectors, detector_entries, load_detector
from bondlens.model import Conversation, Finding


def detect(
    conversation: Conversation, detectors: Sequence[Detector] | None = None, *, me: str | None = None
) -> list[Finding]:
    """Run ``detectors`` (default: the built-in rules) and return their findings in message order."""
    chosen = list(detectors) if detectors is not None else default_detectors()
    findings: list[Finding] = []
    for detector in chosen:
        findings.extend(detector.detect(conversation, me=me))
    findings.sort(key=lambda f: (f.message_id, f.span.start, f.label))
    return findings


__all__ = ["Detector", "default_detectors", "detect", "detector_entries", "load_detector"]
