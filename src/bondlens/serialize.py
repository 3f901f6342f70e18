"""Plain JSON forms of the model, used by `bondlens import --jsonl`, `bondlens detect --jsonl` and golden-file tests.

Each message and finding record carries ``"schema_version"`` and follows a published JSON Schema (draft 2020-12)
in ``bondlens/data``: ``message.schema.json`` and ``finding.schema.json`` (see :func:`json_schema`). Within a
version, fields may be added, never renamed or removed.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Literal

from bondlens.model import Conversation, Finding, Message

MESSAGE_SCHEMA_VERSION = "1"
FINDING_SCHEMA_VERSION = "1"
RecordKind = Literal["message", "finding"]


def json_schema(kind: RecordKind) -> dict[str, Any]:
    """The JSON Schema of one line of `import --jsonl` (``"message"``) or `detect --jsonl` (``"finding"``).

    >>> json_schema("message")["properties"]["schema_version"]
    {'const': '1'}
    """
    if kind not in ("message", "finding"):
        raise ValueError(f"kind must be 'message' or 'finding', not {kind!r}")
    text = resources.files("bondlens").joinpath(f"data/{kind}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def message_record(conversation: Conversation, message: Message) -> dict[str, Any]:
    """One message as a JSON-ready dict (the `import --jsonl` line format)."""
    return {
        "schema_version": MESSAGE_SCHEMA_VERSION,
        "id": message.id,
        "timestamp": message.timestamp.isoformat(),
        "sender": message.sender,
        "sender_name": conversation.sender_name(message),
        "text": message.text,
        "attachments": [{"kind": a.kind, "name": a.name, "mime_type": a.mime_type} for a in message.attachments],
        "system": message.is_system,
        "source_line": message.source_line,
        "source_record": message.source_record,
    }


def conversation_header(conversation: Conversation) -> dict[str, Any]:
    """Facts about the conversation as a whole (format, source hash, participants)."""
    return {
        "format": conversation.format,
        "title": conversation.title,
        "naive_timestamps": conversation.naive_timestamps,
        "source": {
            "path": conversation.source.path,
            "member": conversation.source.member,
            "sha256": conversation.source.sha256,
            "size": conversation.source.size,
        },
        "participants": [{"id": p.id, "name": p.name, "handle": p.handle} for p in conversation.participants],
        "warnings": list(conversation.warnings),
    }


def finding_record(conversation: Conversation, finding: Finding) -> dict[str, Any]:
    """One finding as a JSON-ready dict (the `detect --jsonl` line format)."""
    message = conversation.messages[finding.message_id]
    explanation = finding.explanation
    return {
        "schema_version": FINDING_SCHEMA_VERSION,
        "message_id": finding.message_id,
        "timestamp": message.timestamp.isoformat(),
        "sender": finding.sender,
        "sender_name": conversation.sender_name(message),
        "label": finding.label,
        "label_set": finding.label_set,
        "score": finding.score,
        "span": [finding.span.start, finding.span.end],
        "evidence": finding.evidence,
        "explanation": explanation.text(),
        "rule_id": explanation.rule_id,
        "adjustments": [
            {"modifier": a.modifier, "factor": a.factor, "reason": a.reason} for a in explanation.adjustments
        ],
        "detector": finding.detector,
        "source_line": message.source_line,
        "source_record": message.source_record,
    }
