"""What the pages show, built from an :class:`~bondlens.analysis.Analysis`.

The words are those of the terminal summary (:mod:`bondlens.analysis.summary`), so the page and
`bondlens analyse` say the same things: what was found, what it may and does not mean, where to get help.
Every finding comes with its messages, unaltered, the flagged words marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bondlens.analysis import Analysis, Cycle, Evidence
from bondlens.analysis.helplines import Helplines, helplines
from bondlens.analysis.model import UNCLEAR
from bondlens.analysis.summary import MONITORING_WARNING, NOT_MEANING, found_lines, label_words, meaning_lines
from bondlens.taxonomy import labels as taxonomy_labels

__all__ = ["MONITORING_WARNING", "AnalysisView", "analysis_view", "help_data"]


def day(value: datetime) -> str:
    return f"{value.day} {value:%b %Y}"


def moment(value: datetime) -> str:
    return f"{value.day} {value:%b %Y, %H:%M}"


@dataclass(frozen=True, slots=True)
class EvidenceView:
    """One message as shown: ``before`` + ``quote`` (the flagged words, marked) + ``after`` is the whole text."""

    message_id: int
    when: str
    sender: str
    mine: bool
    label: str
    before: str
    quote: str
    after: str
    where: str  # "line 217 of the export"


@dataclass(frozen=True, slots=True)
class CycleView:
    number: int
    title: str
    explanation: str
    harm: tuple[EvidenceView, ...]
    reinforcement: tuple[EvidenceView, ...]
    next_harm: str | None


@dataclass(frozen=True, slots=True)
class SignView:
    label: str
    name: str
    definition: str
    count: int
    per_100: float
    first_seen: str
    last_seen: str
    evidence: tuple[EvidenceView, ...]


@dataclass(frozen=True, slots=True)
class GapView:
    start: str
    end: str
    days: float
    kind: str
    explanation: str
    evidence: tuple[EvidenceView, ...]


@dataclass(frozen=True, slots=True)
class StageView:
    name: str
    stage: str
    confidence: float
    explanation: str


@dataclass(frozen=True, slots=True)
class SpeakerView:
    name: str
    is_me: bool
    messages: int
    harm_count: int
    harm_per_100: float
    reinforcement_count: int
    top: str


@dataclass(frozen=True, slots=True)
class AnalysisView:
    intro: str
    found: tuple[str, ...]
    pattern_status: str
    pattern_explanation: str
    trends: tuple[str, ...]
    cycles: tuple[CycleView, ...]
    signs: tuple[SignView, ...]
    gaps: tuple[GapView, ...]
    stages: tuple[StageView, ...]
    speakers: tuple[SpeakerView, ...]
    meaning: tuple[str, ...]
    not_meaning: tuple[str, ...]


def _where(item: Evidence) -> str:
    if item.source_line is not None:
        return f"line {item.source_line} of the export"
    if item.source_record is not None:
        return f"record {item.source_record} of the export"
    return f"message {item.message_id}"


def evidence_view(analysis: Analysis, item: Evidence) -> EvidenceView:
    text, quote = item.text, item.quote
    at = text.find(quote) if quote else -1
    before, marked, after = (text[:at], quote, text[at + len(quote) :]) if at >= 0 else ("", "", text)
    mine = item.sender == analysis.me
    return EvidenceView(
        message_id=item.message_id,
        when=moment(item.timestamp),
        sender=f"{analysis.conversation.name(item.sender)}{' (you)' if mine else ''}",
        mine=mine,
        label=label_words(item.label),
        before=before,
        quote=marked,
        after=after,
        where=_where(item),
    )


def _evidence(analysis: Analysis, items: Iterable[Evidence]) -> tuple[EvidenceView, ...]:
    seen: set[int] = set()
    shown: list[EvidenceView] = []
    for item in sorted(items, key=lambda e: (e.timestamp, e.message_id)):
        if item.message_id not in seen:
            seen.add(item.message_id)
            shown.append(evidence_view(analysis, item))
    return tuple(shown)


def _cycle(analysis: Analysis, cycle: Cycle) -> CycleView:
    labels = ", ".join(label_words(label) for label in cycle.harm.labels)
    return CycleView(
        number=cycle.number,
        title=f"Cycle {cycle.number}: {day(cycle.start)} ({labels})",
        explanation=cycle.explanation,
        harm=_evidence(analysis, cycle.harm.evidence),
        reinforcement=_evidence(analysis, cycle.reinforcement),
        next_harm=None if cycle.next_harm_start is None else day(cycle.next_harm_start),
    )


def analysis_view(analysis: Analysis) -> AnalysisView:
    info = analysis.conversation
    others = ", ".join(p.name for p in info.participants if p.id != analysis.me) or "no one else"
    when = ""
    if info.first_timestamp is not None and info.last_timestamp is not None:
        when = f", {day(info.first_timestamp)} to {day(info.last_timestamp)}"
    count = f"{info.messages:,} message{'' if info.messages == 1 else 's'}"
    intro = f"bondlens read {count} between you ({info.name(analysis.me)}) and {others}{when}."
    pattern = analysis.pattern
    names = taxonomy_labels()
    signs = tuple(
        SignView(
            label=s.label,
            name=label_words(s.label).capitalize(),
            definition=names[s.label].definition if s.label in names else "",
            count=s.count,
            per_100=s.per_100_messages,
            first_seen=day(s.first_seen),
            last_seen=day(s.last_seen),
            evidence=_evidence(analysis, s.evidence),
        )
        for s in analysis.signs
    )
    gaps = tuple(
        GapView(
            start=day(g.start),
            end=day(g.end),
            days=g.days,
            kind=g.kind,
            explanation=g.explanation,
            evidence=_evidence(analysis, (*g.leave_signals, *g.return_signals)),
        )
        for g in analysis.contact.gaps
        if g.kind != "quiet"
    )
    stages = tuple(
        StageView(
            name=p.name,
            stage=names[p.stage].name if p.stage in names else "Unclear" if p.stage == UNCLEAR else p.stage,
            confidence=p.confidence,
            explanation=p.explanation,
        )
        for p in analysis.stages.periods
    )
    speakers = tuple(
        SpeakerView(
            name=s.name,
            is_me=s.is_me,
            messages=s.messages,
            harm_count=s.harm_count,
            harm_per_100=s.harm_per_100_messages,
            reinforcement_count=s.reinforcement_count,
            top=", ".join(f"{label_words(t.label)} ({t.count})" for t in s.tactics[:3]) or "none",
        )
        for s in analysis.speakers
    )
    trends: tuple[str, ...] = ()
    if pattern is not None:
        trends = tuple(
            t.explanation for t in (pattern.intensity_trend, pattern.frequency_trend) if t.direction != "too_few_data"
        )
    return AnalysisView(
        intro=intro,
        found=tuple(found_lines(analysis)),
        pattern_status=pattern.status if pattern is not None else "no_harm_episodes",
        pattern_explanation=pattern.explanation if pattern is not None else "",
        trends=trends,
        cycles=tuple(_cycle(analysis, c) for c in analysis.cycles),
        signs=signs,
        gaps=gaps,
        stages=stages,
        speakers=speakers,
        meaning=tuple(meaning_lines(analysis)),
        not_meaning=(*NOT_MEANING, *analysis.notes),
    )


def help_data() -> Helplines:
    return helplines()
