"""The analysis as JSON, schema version 1 (documented by ``bondlens/data/analysis.schema.json``).

``to_json(analysis)`` returns plain JSON-ready data: times as ISO 8601 strings (with their offset when the
export had one), dates as ``YYYY-MM-DD``, every result with its evidence messages and explanation. Fields
are only ever added within a version; renaming or removing one means a new ``schema_version``.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from bondlens.analysis.model import (
    Analysis,
    ContactGap,
    Cycle,
    CyclePattern,
    Episode,
    Evidence,
    LabelRate,
    SignSummary,
    SpeakerProfile,
    StagePeriod,
    Trend,
)

SCHEMA_VERSION = "1"
DISCLAIMER = (
    "Indications found in the words of the messages, not a diagnosis. The detectors can be wrong; only the "
    "messages were read (not calls, tone or what happened in person)."
)


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _generator_version() -> str:
    try:
        return version("bondlens")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def evidence(item: Evidence) -> dict[str, Any]:
    return {
        "message_id": item.message_id,
        "timestamp": item.timestamp.isoformat(),
        "sender": item.sender,
        "label": item.label,
        "quote": item.quote,
        "text": item.text,
        "score": item.score,
        "source_line": item.source_line,
        "source_record": item.source_record,
    }


def _rate(rate: LabelRate) -> dict[str, Any]:
    return {
        "label": rate.label,
        "count": rate.count,
        "per_100_messages": rate.per_100_messages,
        "per_week": rate.per_week,
        "mean_score": rate.mean_score,
    }


def _speaker(profile: SpeakerProfile) -> dict[str, Any]:
    return {
        "participant_id": profile.participant_id,
        "name": profile.name,
        "is_me": profile.is_me,
        "messages": profile.messages,
        "weeks": profile.weeks,
        "harm": {
            "count": profile.harm_count,
            "per_100_messages": profile.harm_per_100_messages,
            "per_week": profile.harm_per_week,
        },
        "reinforcement_count": profile.reinforcement_count,
        "tactics": [_rate(r) for r in profile.tactics],
        "signs": [_rate(r) for r in profile.signs],
    }


def _episode(episode: Episode) -> dict[str, Any]:
    return {
        "participant_id": episode.participant_id,
        "start": episode.start.isoformat(),
        "end": episode.end.isoformat(),
        "intensity": episode.intensity,
        "labels": list(episode.labels),
        "findings": episode.findings,
        "one_sided": episode.one_sided,
        "other_side_intensity": episode.other_side_intensity,
        "evidence": [evidence(e) for e in episode.evidence],
        "explanation": episode.explanation,
    }


def _cycle(cycle: Cycle) -> dict[str, Any]:
    return {
        "number": cycle.number,
        "start": cycle.start.isoformat(),
        "harm": _episode(cycle.harm),
        "reinforcement": {
            "start": cycle.reinforcement_start.isoformat(),
            "end": cycle.reinforcement_end.isoformat(),
            "evidence": [evidence(e) for e in cycle.reinforcement],
        },
        "next_harm_start": _time(cycle.next_harm_start),
        "period_days": cycle.period_days,
        "calm_days": cycle.calm_days,
        "explanation": cycle.explanation,
    }


def _trend(item: Trend) -> dict[str, Any]:
    return {
        "quantity": item.quantity,
        "method": item.method,
        "n": item.n,
        "statistic": item.statistic,
        "p_value": item.p_value,
        "confidence": item.confidence,
        "direction": item.direction,
        "values": list(item.values),
        "explanation": item.explanation,
    }


def _pattern(pattern: CyclePattern) -> dict[str, Any]:
    return {
        "participant_id": pattern.participant_id,
        "status": pattern.status,
        "explanation": pattern.explanation,
        "cycle_count": len(pattern.cycles),
        "median_period_days": pattern.median_period_days,
        "episodes": [_episode(e) for e in pattern.episodes],
        "cycles": [_cycle(c) for c in pattern.cycles],
        "trends": {"intensity": _trend(pattern.intensity_trend), "frequency": _trend(pattern.frequency_trend)},
    }


def _stage_period(period: StagePeriod) -> dict[str, Any]:
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "name": period.name,
        "stage": period.stage,
        "confidence": period.confidence,
        "scores": [{"stage": stage, "share": share} for stage, share in period.scores],
        "messages": period.messages,
        "findings": period.findings,
        "evidence": [evidence(e) for e in period.evidence],
        "explanation": period.explanation,
    }


def _sign(sign: SignSummary) -> dict[str, Any]:
    return {
        "label": sign.label,
        "count": sign.count,
        "per_100_messages": sign.per_100_messages,
        "first_seen": sign.first_seen.isoformat(),
        "last_seen": sign.last_seen.isoformat(),
        "evidence": [evidence(e) for e in sign.evidence],
    }


def _gap(gap: ContactGap) -> dict[str, Any]:
    return {
        "start": gap.start.isoformat(),
        "end": gap.end.isoformat(),
        "days": gap.days,
        "times_typical": gap.times_typical,
        "kind": gap.kind,
        "resumed_by": gap.resumed_by,
        "leave_signals": [evidence(e) for e in gap.leave_signals],
        "return_signals": [evidence(e) for e in gap.return_signals],
        "explanation": gap.explanation,
    }


def to_json(analysis: Analysis) -> dict[str, Any]:
    """The analysis as JSON-ready data, schema version 1."""
    info = analysis.conversation
    stages = analysis.stages
    contact = analysis.contact
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "bondlens", "version": _generator_version()},
        "disclaimer": DISCLAIMER,
        "conversation": {
            "format": info.format,
            "title": info.title,
            "naive_timestamps": info.naive_timestamps,
            "source": {
                "path": info.source.path,
                "member": info.source.member,
                "sha256": info.source.sha256,
                "size": info.source.size,
            },
            "participants": [{"id": p.id, "name": p.name, "handle": p.handle} for p in info.participants],
            "first_timestamp": _time(info.first_timestamp),
            "last_timestamp": _time(info.last_timestamp),
            "messages": info.messages,
        },
        "me": analysis.me,
        "window": {"since": _day(analysis.since), "until": _day(analysis.until)},
        "detectors": list(analysis.detectors),
        "findings": analysis.findings,
        "speakers": [_speaker(p) for p in analysis.speakers],
        "asymmetry": {
            "me": analysis.asymmetry.me,
            "them": analysis.asymmetry.them,
            "share_them": analysis.asymmetry.share_them,
            "direction": analysis.asymmetry.direction,
            "explanation": analysis.asymmetry.explanation,
        },
        "patterns": [_pattern(p) for p in analysis.patterns],
        "stages": {
            "period": stages.period,
            "method": stages.method,
            "periods": [_stage_period(p) for p in stages.periods],
            "transitions": [
                {"date": t.date.isoformat(), "from": t.from_stage, "to": t.to_stage} for t in stages.transitions
            ],
        },
        "signs": [_sign(s) for s in analysis.signs],
        "contact": {
            "typical_gap_days": contact.typical_gap_days,
            "threshold_days": contact.threshold_days,
            "attempts_to_leave": contact.attempts_to_leave,
            "explanation": contact.explanation,
            "gaps": [_gap(g) for g in contact.gaps],
        },
        "timeline": [
            {
                "start": row.start.isoformat(),
                "messages": dict(row.messages),
                "harm": dict(row.harm),
                "reinforcement": dict(row.reinforcement),
                "signs": dict(row.signs),
            }
            for row in analysis.timeline
        ],
        "notes": list(analysis.notes),
    }


def dumps(analysis: Analysis) -> str:
    """The analysis as a JSON document (UTF-8 text, indented for reading)."""
    return json.dumps(to_json(analysis), ensure_ascii=False, indent=2) + "\n"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that :func:`to_json` output follows."""
    text = resources.files("bondlens").joinpath("data/analysis.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
