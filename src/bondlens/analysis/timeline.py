"""Counts per period (month or week) and participant: messages, harm, reinforcement and signs."""

from __future__ import annotations

from collections import Counter

from bondlens.analysis.model import PeriodCounts
from bondlens.analysis.scope import Scope, is_harm, is_reinforcement, period_start, periods_between


def timeline(scope: Scope) -> tuple[PeriodCounts, ...]:
    """Every period from the first message to the last, including empty ones, in order."""
    if scope.first is None or scope.last is None:
        return ()
    people = [scope.me, *scope.others]
    messages: Counter[tuple[object, str]] = Counter()
    harm: Counter[tuple[object, str]] = Counter()
    reinforcement: Counter[tuple[object, str]] = Counter()
    signs: Counter[tuple[object, str]] = Counter()
    for message in scope.messages:
        if message.sender is not None:
            messages[period_start(message.timestamp.date(), scope.period), message.sender] += 1
    for item in scope.findings:
        sender = item.finding.sender
        if sender is None:
            continue
        key = (period_start(item.time.date(), scope.period), sender)
        if is_harm(item.finding):
            harm[key] += 1
        elif is_reinforcement(item.finding):
            reinforcement[key] += 1
        elif item.finding.label_set == "sign":
            signs[key] += 1

    def row(counter: Counter[tuple[object, str]], start: object) -> tuple[tuple[str, int], ...]:
        return tuple((person, counter[(start, person)]) for person in people)

    return tuple(
        PeriodCounts(start, row(messages, start), row(harm, start), row(reinforcement, start), row(signs, start))
        for start in periods_between(scope.first.date(), scope.last.date(), scope.period)
    )
