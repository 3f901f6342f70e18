"""The signs of a bond in the user's own messages: which, how often, since when, with examples."""

from __future__ import annotations

from collections import defaultdict

from bondlens.analysis.model import SignSummary
from bondlens.analysis.scope import Scope, TimedFinding, strongest
from bondlens.taxonomy import SIGNS

EXAMPLES = 3


def sign_summaries(scope: Scope) -> tuple[SignSummary, ...]:
    """One summary per sign found in ``scope.me``'s messages, most frequent first."""
    mine = sum(1 for m in scope.messages if m.sender == scope.me)
    grouped: dict[str, list[TimedFinding]] = defaultdict(list)
    for item in scope.signs_of(scope.me):
        grouped[item.finding.label].append(item)
    order = {label: i for i, label in enumerate(SIGNS)}
    summaries = [
        SignSummary(
            label=label,
            count=len(items),
            per_100_messages=round(100.0 * len(items) / mine, 3) if mine else 0.0,
            first_seen=items[0].time,
            last_seen=items[-1].time,
            evidence=tuple(scope.evidence(t.finding) for t in strongest(items, EXAMPLES)),
        )
        for label, items in grouped.items()
    ]
    summaries.sort(key=lambda s: (-s.count, order.get(s.label, len(order))))
    return tuple(summaries)
