"""Faithful JSON forms of what a case holds, and back.

Messages use the `import --jsonl` record (:func:`bondlens.serialize.message_record`) and the conversation its
header (:func:`bondlens.serialize.conversation_header`, with the source file's SHA-256), so a stored conversation
reads back equal to the one imported. Findings keep every field of :class:`bondlens.model.Finding`, including
the whole explanation, so they too read back equal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from bondlens.model import (
    Adjustment,
    Attachment,
    AttachmentKind,
    Conversation,
    Explanation,
    Finding,
    LabelSet,
    Message,
    Participant,
    SourceFile,
    Span,
)
from bondlens.serialize import conversation_header, message_record

__all__ = [
    "conversation_from_records",
    "conversation_header",
    "finding_from_record",
    "finding_to_record",
    "message_from_record",
    "message_record",
]


def message_from_record(record: dict[str, Any]) -> Message:
    return Message(
        id=int(record["id"]),
        timestamp=datetime.fromisoformat(record["timestamp"]),
        sender=record["sender"],
        text=record["text"],
        attachments=tuple(
            Attachment(cast(AttachmentKind, a["kind"]), a["name"], a["mime_type"]) for a in record["attachments"]
        ),
        is_system=bool(record["system"]),
        source_line=record["source_line"],
        source_record=record["source_record"],
    )


def conversation_from_records(header: dict[str, Any], messages: list[dict[str, Any]]) -> Conversation:
    source = header["source"]
    return Conversation(
        format=header["format"],
        source=SourceFile(path=source["path"], sha256=source["sha256"], size=source["size"], member=source["member"]),
        participants=tuple(Participant(p["id"], p["name"], p["handle"]) for p in header["participants"]),
        messages=tuple(message_from_record(m) for m in messages),
        naive_timestamps=bool(header["naive_timestamps"]),
        title=header["title"],
        warnings=tuple(header["warnings"]),
    )


def finding_to_record(finding: Finding) -> dict[str, Any]:
    e = finding.explanation
    return {
        "detector": finding.detector,
        "label": finding.label,
        "label_set": finding.label_set,
        "message_id": finding.message_id,
        "sender": finding.sender,
        "span": [finding.span.start, finding.span.end],
        "evidence": finding.evidence,
        "score": finding.score,
        "explanation": {
            "summary": e.summary,
            "rule_id": e.rule_id,
            "matched": e.matched,
            "base_score": e.base_score,
            "adjustments": [{"modifier": a.modifier, "factor": a.factor, "reason": a.reason} for a in e.adjustments],
            "source": e.source,
        },
    }


def finding_from_record(record: dict[str, Any]) -> Finding:
    e = record["explanation"]
    return Finding(
        detector=record["detector"],
        label=record["label"],
        label_set=cast(LabelSet, record["label_set"]),
        message_id=int(record["message_id"]),
        sender=record["sender"],
        span=Span(int(record["span"][0]), int(record["span"][1])),
        evidence=record["evidence"],
        score=float(record["score"]),
        explanation=Explanation(
            summary=e["summary"],
            rule_id=e["rule_id"],
            matched=e["matched"],
            base_score=float(e["base_score"]),
            adjustments=tuple(Adjustment(a["modifier"], float(a["factor"]), a["reason"]) for a in e["adjustments"]),
            source=e["source"],
        ),
    )
