"""Contact pattern: long silences in the chat, and whether they were attempts to leave followed by a return.

A gap is a stretch with no messages at least ``threshold_days`` long, where the threshold follows the chat's
own rhythm: ``max(MIN_GAP_DAYS, GAP_FACTOR x the median gap between consecutive days with messages)``. A chat
written in every day gets a 4-day threshold; one written in weekly gets 4 weeks.

Each gap is then read in context. Messages in the ``SIGNAL_WINDOW`` before it are searched for leave signals
("I'm leaving", "I need some space", "don't message me", blocking, "so you're leaving me"); messages in the
window after it for return signals ("I unblocked you", "I'm coming home", "I miss you") and the detector's
``returning_after_leaving`` sign. The word lists are data (``data/contact_signals.yaml``), each pattern with
examples the tests run. Both kinds of signal make the gap an attempt to leave and a return; leave signals
alone a possible leave; neither a quiet spell. A return signal that shows a leave on its own (unblocking,
or the detector's sign) is enough for an attempt to leave and a return; "I miss you" after a silence alone
is not. Only message timing and words are used.
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from itertools import pairwise

import yaml

from bondlens.analysis.model import ContactGap, ContactPattern, Evidence, GapKind
from bondlens.analysis.scope import Scope, days
from bondlens.model import Message

MIN_GAP_DAYS = 3.0  # never call less than three days without messages a gap
GAP_FACTOR = 4.0  # ... nor less than four times the chat's usual gap between active days
SIGNAL_WINDOW = timedelta(hours=72)  # how far before and after a gap its signals are looked for
RETURN_SIGN = "returning_after_leaving"
MAX_SIGNALS = 4  # evidence kept per side of a gap


@dataclass(frozen=True)
class Signal:
    id: str
    pattern: re.Pattern[str]
    implies_leave: bool = False  # a return signal that shows there was a leave (unblocking)


@cache
def signals() -> tuple[tuple[Signal, ...], tuple[Signal, ...]]:
    """The leave and return signals from ``data/contact_signals.yaml``."""
    text = resources.files("bondlens.analysis").joinpath("data/contact_signals.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)

    def read(kind: str) -> tuple[Signal, ...]:
        return tuple(
            Signal(item["id"], re.compile(item["pattern"], re.IGNORECASE), bool(item.get("implies_leave", False)))
            for item in data[kind]
        )

    return read("leave"), read("return")


def _straight(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


def match_signal(text: str, kind: Sequence[Signal]) -> tuple[str, str] | None:
    """(signal id, the matched words) for the first signal found in ``text``, or None."""
    straight = _straight(text)
    for signal in kind:
        found = signal.pattern.search(straight)
        if found:
            return signal.id, text[found.start() : found.end()]
    return None


def contact_days(start: datetime, end: datetime, away: Sequence[tuple[datetime, datetime]]) -> float:
    """Days from ``start`` to ``end`` minus the parts spent apart (``away``: leave gaps as (start, end))."""
    total = days(end - start)
    for gap_start, gap_end in away:
        overlap = min(end, gap_end) - max(start, gap_start)
        if overlap > timedelta(0):
            total -= days(overlap)
    return max(total, 0.0)


def away_intervals(pattern: ContactPattern) -> list[tuple[datetime, datetime]]:
    """The gaps that look like time apart (an attempt to leave, possibly), as (start, end)."""
    return [(g.start, g.end) for g in pattern.gaps if g.kind != "quiet"]


@dataclass(frozen=True)
class _Messages:
    """All messages of the window (system lines included: "You blocked this contact") with their times."""

    messages: Sequence[Message]
    times: Sequence[datetime]

    def window(self, start: datetime, end: datetime) -> Sequence[Message]:
        return self.messages[bisect_left(self.times, start) : bisect_right(self.times, end)]


def _gap(scope: Scope, everything: _Messages, before: Message, after: Message, typical: float) -> ContactGap:
    leave, back = signals()
    leave_evidence: list[Evidence] = []
    for message in reversed(everything.window(before.timestamp - SIGNAL_WINDOW, before.timestamp)):
        hit = match_signal(message.text, leave)
        if hit and len(leave_evidence) < MAX_SIGNALS:
            leave_evidence.append(scope.message_evidence(message, hit[0], hit[1]))
    leave_evidence.reverse()

    return_evidence: list[Evidence] = []
    end = after.timestamp + SIGNAL_WINDOW
    signed = {
        t.finding.message_id: t.finding
        for t in scope.index.between(after.timestamp, end)
        if t.finding.label == RETURN_SIGN
    }
    for message in everything.window(after.timestamp, end):
        if len(return_evidence) >= MAX_SIGNALS:
            break
        if message.id in signed:
            return_evidence.append(scope.evidence(signed[message.id]))
            continue
        hit = match_signal(message.text, back)
        if hit:
            return_evidence.append(scope.message_evidence(message, hit[0], hit[1]))

    implied = {s.id for s in back if s.implies_leave} | {RETURN_SIGN}
    kind: GapKind = "quiet"
    if return_evidence and (leave_evidence or any(e.label in implied for e in return_evidence)):
        kind = "leave_and_return"
    elif leave_evidence:
        kind = "possible_leave"
    length = days(after.timestamp - before.timestamp)
    span = f"{before.timestamp:%d %b %Y} to {after.timestamp:%d %b %Y}"
    text = (
        f"No messages for {length:.1f} days ({span}), {length / typical:.0f} times this chat's usual gap. "
        f"{scope.name(after.sender)} wrote first afterwards."
    )
    if leave_evidence:
        first = leave_evidence[0]
        text += f' Before it, {scope.name(first.sender)}: "{first.quote}".'
    if return_evidence:
        first = return_evidence[0]
        text += f' After it, {scope.name(first.sender)}: "{first.quote}".'
    if kind == "leave_and_return":
        text += " This looks like an attempt to leave, followed by a return."
    elif kind == "possible_leave":
        text += " This may have been time apart."
    return ContactGap(
        start=before.timestamp,
        end=after.timestamp,
        days=round(length, 3),
        times_typical=round(length / typical, 2),
        kind=kind,
        resumed_by=after.sender,
        leave_signals=tuple(leave_evidence),
        return_signals=tuple(return_evidence),
        explanation=text,
    )


def contact_pattern(scope: Scope) -> ContactPattern:
    """The gaps in contact in ``scope``, each classified, and how many were attempts to leave and return."""
    messages = scope.messages
    active = sorted({m.timestamp.date() for m in messages})
    day_gaps = [(b - a).days for a, b in pairwise(active)]
    typical = max(1.0, float(statistics.median(day_gaps))) if day_gaps else 1.0
    threshold = max(MIN_GAP_DAYS, GAP_FACTOR * typical)
    if scope.first is not None and scope.last is not None:
        first, last = scope.first, scope.last
        chosen = sorted(
            (m for m in scope.conversation.messages if first <= m.timestamp <= last), key=lambda m: (m.timestamp, m.id)
        )
    else:
        chosen = []
    everything = _Messages(chosen, [m.timestamp for m in chosen])
    gaps = tuple(
        _gap(scope, everything, before, after, typical)
        for before, after in pairwise(messages)
        if days(after.timestamp - before.timestamp) >= threshold
    )
    attempts = sum(1 for g in gaps if g.kind == "leave_and_return")
    text = (
        f"Usual gap between days with messages: {typical:g} day(s); silences of {threshold:g} days or more are "
        f"listed. {len(gaps)} such gap(s), {attempts} with signs of leaving before and of returning after."
    )
    return ContactPattern(round(typical, 3), round(threshold, 3), gaps, attempts, text)
