"""What every analysis step reads: the messages and findings in the analysed window, in time order.

:class:`Scope` is built once by :func:`~bondlens.analysis.analyse` and handed to each step, so no step
re-filters or re-sorts, and every step turns findings into :class:`~bondlens.analysis.model.Evidence` the
same way.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from bondlens.analysis.model import Evidence, Period
from bondlens.model import Conversation, Finding, Message

REINFORCEMENT = "reinforcement"
DAY = timedelta(days=1)


def is_harm(finding: Finding) -> bool:
    """A tactic other than reinforcement: the harm half of the cycle."""
    return finding.label_set == "tactic" and finding.label != REINFORCEMENT


def is_reinforcement(finding: Finding) -> bool:
    return finding.label_set == "tactic" and finding.label == REINFORCEMENT


def days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400.0


def period_start(day: date, period: Period) -> date:
    """The first day of the month, or the Monday of the week, that holds ``day``."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_period(start: date, period: Period) -> date:
    if period == "week":
        return start + timedelta(days=7)
    return date(start.year + (start.month == 12), start.month % 12 + 1, 1)


def period_name(start: date, period: Period) -> str:
    return f"week of {start.isoformat()}" if period == "week" else f"{start:%B %Y}"


def periods_between(first: date, last: date, period: Period) -> list[date]:
    """Every period start from the one holding ``first`` to the one holding ``last``."""
    starts: list[date] = []
    current = period_start(first, period)
    while current <= last:
        starts.append(current)
        current = next_period(current, period)
    return starts


@dataclass(frozen=True)
class TimedFinding:
    """A finding with the time of its message (findings themselves carry only the message id)."""

    time: datetime
    finding: Finding


@dataclass(frozen=True)
class Scope:
    """The analysed window of one conversation, seen from ``me``."""

    conversation: Conversation
    me: str
    period: Period
    messages: tuple[Message, ...]  # user messages in the window, in time order
    findings: tuple[TimedFinding, ...]  # findings on those messages, in time order
    _by_sender: dict[str | None, tuple[TimedFinding, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        conversation: Conversation,
        findings: Iterable[Finding],
        me: str,
        period: Period,
        since: date | None = None,
        until: date | None = None,
    ) -> Scope:
        def inside(message: Message) -> bool:
            day = message.timestamp.date()
            return (since is None or day >= since) and (until is None or day <= until)

        messages = tuple(
            sorted(
                (m for m in conversation.messages if not m.is_system and inside(m)),
                key=lambda m: (m.timestamp, m.id),
            )
        )
        kept = {m.id for m in messages}
        timed = sorted(
            (TimedFinding(conversation.messages[f.message_id].timestamp, f) for f in findings if f.message_id in kept),
            key=lambda t: (t.time, t.finding.message_id, t.finding.span.start, t.finding.label),
        )
        by_sender: dict[str | None, list[TimedFinding]] = {}
        for item in timed:
            by_sender.setdefault(item.finding.sender, []).append(item)
        return cls(
            conversation,
            me,
            period,
            messages,
            tuple(timed),
            {sender: tuple(items) for sender, items in by_sender.items()},
        )

    # -- who -----------------------------------------------------------------------------------------
    @property
    def others(self) -> tuple[str, ...]:
        """Every participant but ``me``, in the export's order."""
        return tuple(p.id for p in self.conversation.participants if p.id != self.me)

    def name(self, participant_id: str | None) -> str:
        if participant_id is None:
            return "?"
        return self.conversation.participant(participant_id).name

    # -- what ----------------------------------------------------------------------------------------
    def of(self, sender: str | None) -> tuple[TimedFinding, ...]:
        """The findings in one person's messages, in time order."""
        return self._by_sender.get(sender, ())

    def harm_of(self, sender: str | None) -> list[TimedFinding]:
        return [t for t in self.of(sender) if is_harm(t.finding)]

    def reinforcement_of(self, sender: str | None) -> list[TimedFinding]:
        return [t for t in self.of(sender) if is_reinforcement(t.finding)]

    def signs_of(self, sender: str | None) -> list[TimedFinding]:
        return [t for t in self.of(sender) if t.finding.label_set == "sign"]

    @cached_property
    def index(self) -> TimeIndex:
        """Every finding of the window, searchable by time."""
        return TimeIndex(self.findings)

    def message(self, message_id: int) -> Message:
        return self.conversation.messages[message_id]

    # -- when ----------------------------------------------------------------------------------------
    @property
    def first(self) -> datetime | None:
        return self.messages[0].timestamp if self.messages else None

    @property
    def last(self) -> datetime | None:
        return self.messages[-1].timestamp if self.messages else None

    @property
    def weeks(self) -> float:
        """The length of the window in weeks, at least one."""
        if not self.messages:
            return 1.0
        return max(1.0, days(self.messages[-1].timestamp - self.messages[0].timestamp) / 7.0)

    # -- evidence ------------------------------------------------------------------------------------
    def evidence(self, finding: Finding) -> Evidence:
        message = self.message(finding.message_id)
        return Evidence(
            message_id=message.id,
            timestamp=message.timestamp,
            sender=message.sender,
            label=finding.label,
            quote=finding.evidence,
            text=message.text,
            score=finding.score,
            source_line=message.source_line,
            source_record=message.source_record,
        )

    def message_evidence(self, message: Message, label: str, quote: str) -> Evidence:
        return Evidence(
            message_id=message.id,
            timestamp=message.timestamp,
            sender=message.sender,
            label=label,
            quote=quote,
            text=message.text,
            score=None,
            source_line=message.source_line,
            source_record=message.source_record,
        )


def strongest(items: Sequence[TimedFinding], limit: int) -> list[TimedFinding]:
    """The ``limit`` highest-scoring findings, one per message, returned in time order."""
    seen: set[int] = set()
    best: list[TimedFinding] = []
    for item in sorted(items, key=lambda t: (-t.finding.score, t.time)):
        if item.finding.message_id in seen:
            continue
        seen.add(item.finding.message_id)
        best.append(item)
        if len(best) == limit:
            break
    return sorted(best, key=lambda t: t.time)


class TimeIndex:
    """Findings in time order with a binary-searchable list of their times."""

    def __init__(self, items: Sequence[TimedFinding]) -> None:
        self.items = items
        self.times = [t.time for t in items]

    def between(self, start: datetime, end: datetime) -> Sequence[TimedFinding]:
        """The findings with ``start <= time <= end``."""
        return self.items[bisect_left(self.times, start) : bisect_right(self.times, end)]
