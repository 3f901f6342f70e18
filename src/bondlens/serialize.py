"""Plain JSON forms of the model, used by `bondlens import --jsonl` and by golden-file tests."""

from __future__ import annotations

from typing import Any

from bondlens.model import Conversation, Finding, Message

MESSAGE_SCHEMA_VERSION = "1"


def message_record(conversation: Conversation, message: Message) -> dict[str, Any]:
    """One message as a JSON-ready dict (the `import --jsonl` line format)."""
    return {
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
