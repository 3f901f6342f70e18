"""Shared by the analysis tests: the synthetic fixtures and their truth, exact findings, tiny chats."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from bondlens.analysis import Analysis, analyse
from bondlens.analysis.schema import json_schema
from bondlens.detectors import detect
from bondlens.importers import load_conversation
from bondlens.importers.base import ConversationBuilder
from bondlens.model import Conversation, Explanation, Finding, Message, SourceFile, Span
from bondlens.taxonomy import labels

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "data" / "analysis"
SAMPLE = ROOT / "examples" / "whatsapp_cycle.txt"
NAMES = ("cycle", "healthy", "mutual", "one_sided")
ME, THEM = "me", "them"


def schema_errors(data: dict[str, Any]) -> list[str]:
    """Where ``data`` breaks the v1 JSON Schema (draft 2020-12); empty when it is valid."""
    validator = jsonschema.Draft202012Validator(json_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    return [f"{e.json_path}: {e.message}" for e in errors]


def schema_document_errors() -> list[str]:
    """Where the schema file itself breaks the draft 2020-12 meta-schema."""
    meta = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
    return [e.message for e in meta.iter_errors(json_schema())]


def truth(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.truth.json").read_text(encoding="utf-8"))
    return data


@cache
def fixture(name: str) -> Conversation:
    return load_conversation(FIXTURES / f"{name}.txt")


def finding(message: Message, label: str, score: float = 0.9, rule_id: str | None = None) -> Finding:
    """A finding on the whole of ``message``, as a detector that is always right would report it."""
    return Finding(
        detector="truth",
        label=label,
        label_set=labels()[label].label_set,  # type: ignore[arg-type]
        message_id=message.id,
        sender=message.sender,
        span=Span(0, len(message.text)),
        evidence=message.text,
        score=score,
        explanation=Explanation(f"intended label {label}", rule_id=rule_id),
    )


def truth_findings(name: str) -> list[Finding]:
    """The findings the fixture's author intended, by source line (independent of the rules)."""
    conversation = fixture(name)
    by_line = {m.source_line: m for m in conversation.messages}
    return [finding(by_line[item["line"]], label) for item in truth(name)["labels"] for label in item["labels"]]


@cache
def exact_analysis(name: str) -> Analysis:
    return analyse(fixture(name), truth_findings(name), me=truth(name)["me"])


@cache
def detected_analysis(name: str) -> Analysis:
    """Through the real rules detector, reading every message for both sides (as `bondlens analyse` does)."""
    conversation = fixture(name)
    return analyse(conversation, detect(conversation), me=truth(name)["me"])


@cache
def sample_analysis() -> Analysis:
    conversation = load_conversation(SAMPLE)
    return analyse(conversation, detect(conversation), me="Alex")


def day(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Chat:
    """A tiny conversation between ``me`` and ``them`` with chosen findings, for exact unit tests.

    >>> chat = Chat()
    >>> chat.say("2025-01-01 10:00", THEM, "you're pathetic", "emotional_abuse")
    """

    def __init__(self) -> None:
        self.lines: list[tuple[datetime, str, str, tuple[tuple[str, float], ...]]] = []

    def say(self, when: str | datetime, who: str, text: str, *found: str | tuple[str, float]) -> Chat:
        at = day(when) if isinstance(when, str) else when
        scored = tuple((f, 0.9) if isinstance(f, str) else f for f in found)
        self.lines.append((at, who, text, scored))
        return self

    def daily(self, first: str, last: str, per_day: int = 2) -> Chat:
        """Ordinary messages every day from ``first`` to ``last`` (a steady rhythm)."""
        current, end = day(first), day(last)
        while current <= end:
            for i in range(per_day):
                self.say(current + timedelta(hours=8 + 3 * i), (ME, THEM)[i % 2], "ordinary message")
            current += timedelta(days=1)
        return self

    def build(self) -> tuple[Conversation, list[Finding]]:
        builder = ConversationBuilder("test", SourceFile("<test>", "0" * 64, 0), naive_timestamps=True)
        builder.participant(ME, "Sam")
        builder.participant(THEM, "Alex")
        marks: list[tuple[int, tuple[tuple[str, float], ...]]] = []
        for i, (at, who, text, found) in enumerate(sorted(self.lines, key=lambda line: line[0])):
            builder.add(at, who, text, source_line=i + 1)
            marks.append((i, found))
        conversation = builder.build()
        findings = [finding(conversation.messages[i], label, score) for i, found in marks for label, score in found]
        return conversation, findings

    def analyse(self) -> Analysis:
        conversation, findings = self.build()
        return analyse(conversation, findings, me=ME)
