"""The seven-stage trajectory: for each period (a month by default), the most likely stage, or "unclear".

Scoring (the weights are data: ``data/stages.yaml``, each with its reason):

1. Each finding in the period becomes a *feature*: ``them:<tactic>`` for harm in the other person's
   messages, ``me:<sign>`` for a sign in the user's, and reinforcement is split by context into
   ``them:affection_before_harm`` (before the first harm episode: love bombing), ``them:repair`` (within
   ``AFTERMATH`` of their harm: apologies) and ``them:affection`` (later affection between fights).
   Harm from a rule whose id names gaslighting also counts as ``them:gaslighting``; an attempt to leave
   and a return that ended in the period counts as ``contact:leave_and_return``.
2. Feature values are summed finding scores per 100 messages of whoever wrote them (at least
   ``MIN_DENOMINATOR`` messages, so a quiet month's one finding is not blown up).
3. A stage's score is the weighted sum of the features; its *share* is its score over all stages' scores.
4. The best stage wins with ``confidence = share x (1 - exp(-support / EVIDENCE_SCALE))``, where support is
   the number of findings that weigh towards any stage: a clear winner on three findings is still
   uncertain. Fewer than ``MIN_SUPPORT`` findings, or confidence below ``MIN_CONFIDENCE``, is "unclear".

Stages describe a relationship in which one person harms the other. When no harm episode was found, or
the harm is mutual, every period is "unclear" and the method says why: affection in a healthy chat is not
love bombing.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources

import yaml

from bondlens.analysis.model import (
    UNCLEAR,
    ContactPattern,
    CyclePattern,
    Evidence,
    StagePeriod,
    StageTrajectory,
    StageTransition,
)
from bondlens.analysis.scope import (
    REINFORCEMENT,
    Scope,
    TimedFinding,
    next_period,
    period_name,
    period_start,
    periods_between,
)
from bondlens.taxonomy import STAGES
from bondlens.taxonomy import labels as taxonomy_labels

AFTERMATH = timedelta(hours=72)
MIN_DENOMINATOR = 20
MIN_SUPPORT = 3
MIN_CONFIDENCE = 0.2
EVIDENCE_SCALE = 5.0
CONTACT_RATE = 10.0  # a leave-and-return weighs like ten findings per 100 messages
MAX_EVIDENCE = 3
APPLIES = ("cycle", "single_sequence", "harm_without_reconciliation")
METHOD = (
    "Each period's findings become rates per 100 messages of whoever wrote them (their tactics, your signs) and "
    "are weighed towards the seven stages by the table in bondlens/analysis/data/stages.yaml; the stage with the "
    f"largest share wins, with confidence = share x (1 - exp(-findings/{EVIDENCE_SCALE:g})). Fewer than "
    f"{MIN_SUPPORT} findings, or a confidence below {MIN_CONFIDENCE:g}, is 'unclear'. The stages are a model, "
    "not a law."
)


@dataclass(frozen=True)
class StageModel:
    weights: dict[str, dict[str, float]]  # stage -> feature -> weight
    gaslighting_rules: tuple[str, ...]

    @property
    def features(self) -> frozenset[str]:
        return frozenset(f for stage in self.weights.values() for f in stage)


@cache
def stage_model() -> StageModel:
    """The weights from ``data/stages.yaml``, checked against the taxonomy's stage ids."""
    text = resources.files("bondlens.analysis").joinpath("data/stages.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    weights = {str(stage): {str(k): float(v) for k, v in row.items()} for stage, row in data["weights"].items()}
    unknown = set(weights) - set(STAGES)
    if unknown or set(STAGES) - set(weights):
        raise ValueError(f"stages.yaml must weigh exactly the taxonomy's stages (unknown: {sorted(unknown)})")
    return StageModel(weights, tuple(str(r) for r in data.get("gaslighting_rules", [])))


class _Features:
    """Turns findings into stage features (see the module docstring)."""

    def __init__(self, scope: Scope, first_harm: datetime | None, model: StageModel) -> None:
        self.scope = scope
        self.first_harm = first_harm
        self.model = model
        self.harm_times = {p: [t.time for t in scope.harm_of(p)] for p in scope.others}

    def of(self, item: TimedFinding) -> list[str]:
        finding = item.finding
        if finding.sender == self.scope.me:
            return [f"me:{finding.label}"] if finding.label_set == "sign" else []
        if finding.label_set != "tactic":
            return []
        if finding.label == REINFORCEMENT:
            if self.first_harm is None or item.time < self.first_harm:
                return ["them:affection_before_harm"]
            times = self.harm_times.get(finding.sender or "", [])
            i = bisect_left(times, item.time)
            recent = i > 0 and item.time - times[i - 1] <= AFTERMATH
            return ["them:repair" if recent else "them:affection"]
        features = [f"them:{finding.label}"]
        rule = finding.explanation.rule_id or ""
        if any(marker in rule for marker in self.model.gaslighting_rules):
            features.append("them:gaslighting")
        return features


def _unclear(start: date, end: date, name: str, messages: int, findings: int, why: str) -> StagePeriod:
    return StagePeriod(start, end, name, UNCLEAR, 0.0, (), messages, findings, (), why)


def _period(
    scope: Scope,
    model: StageModel,
    start: date,
    items: Sequence[tuple[str, TimedFinding]],
    contact_events: Sequence[Evidence],
    counts: tuple[int, int],
) -> StagePeriod:
    end = next_period(start, scope.period) - timedelta(days=1)
    name = period_name(start, scope.period)
    mine, theirs = counts
    if mine + theirs == 0:
        return _unclear(start, end, name, 0, 0, "No messages in this period.")
    values: dict[str, float] = defaultdict(float)
    for feature, item in items:
        denominator = max(MIN_DENOMINATOR, mine if feature.startswith("me:") else theirs)
        values[feature] += 100.0 * item.finding.score / denominator
    if contact_events:
        values["contact:leave_and_return"] += CONTACT_RATE * len(contact_events)
    scores = {stage: sum(w * values.get(f, 0.0) for f, w in row.items()) for stage, row in model.weights.items()}
    support = len({item.finding.message_id for _, item in items}) + len(contact_events)
    total = sum(max(s, 0.0) for s in scores.values())
    if support < MIN_SUPPORT or total <= 0:
        return _unclear(
            start,
            end,
            name,
            mine + theirs,
            support,
            f"Only {support} finding(s) that bear on the stages: too little to estimate one.",
        )
    shares = sorted(((stage, max(s, 0.0) / total) for stage, s in scores.items()), key=lambda kv: -kv[1])
    best, share = shares[0]
    confidence = share * (1.0 - math.exp(-support / EVIDENCE_SCALE))
    rounded = tuple((stage, round(value, 4)) for stage, value in shares)
    names = taxonomy_labels()
    if confidence < MIN_CONFIDENCE:
        runner = ", ".join(f"{names[s].name} {v:.0%}" for s, v in shares[:2])
        return StagePeriod(
            start,
            end,
            name,
            UNCLEAR,
            round(confidence, 4),
            rounded,
            mine + theirs,
            support,
            (),
            f"The evidence is split ({runner}); no stage stands out.",
        )
    weights = model.weights[best]
    ranked = sorted(
        ((weights.get(feature, 0.0) * item.finding.score, item) for feature, item in items),
        key=lambda kv: -kv[0],
    )
    evidence: list[Evidence] = []
    seen: set[int] = set()
    for weight, item in ranked:
        if weight <= 0 or item.finding.message_id in seen or len(evidence) == MAX_EVIDENCE:
            continue
        seen.add(item.finding.message_id)
        evidence.append(scope.evidence(item.finding))
    if weights.get("contact:leave_and_return", 0.0) > 0:
        evidence.extend(contact_events[: max(0, MAX_EVIDENCE - len(evidence))])
    evidence.sort(key=lambda e: e.timestamp)
    text = (
        f"Most like '{names[best].name}' ({share:.0%} of the weighed evidence, {support} findings; "
        f"confidence {confidence:.2f}). {names[best].definition}"
    )
    return StagePeriod(
        start, end, name, best, round(confidence, 4), rounded, mine + theirs, support, tuple(evidence), text
    )


def _transitions(periods: Sequence[StagePeriod]) -> tuple[StageTransition, ...]:
    found: list[StageTransition] = []
    current: str | None = None
    for period in periods:
        if period.stage == UNCLEAR:
            continue
        if current is not None and period.stage != current:
            found.append(StageTransition(period.start, current, period.stage))
        current = period.stage
    return tuple(found)


def stage_trajectory(scope: Scope, pattern: CyclePattern | None, contact: ContactPattern) -> StageTrajectory:
    """The stage per period, from the first message to the last, and the changes between them."""
    if scope.first is None or scope.last is None:
        return StageTrajectory(scope.period, (), (), METHOD)
    starts = periods_between(scope.first.date(), scope.last.date(), scope.period)
    counts: dict[date, list[int]] = {s: [0, 0] for s in starts}
    for message in scope.messages:
        key = period_start(message.timestamp.date(), scope.period)
        counts[key][0 if message.sender == scope.me else 1] += 1
    if pattern is None or pattern.status not in APPLIES:
        status = "no harm episode was found" if pattern is None else pattern.status.replace("_", " ")
        why = (
            f"Not estimated: {status}. The seven stages describe a relationship where one person harms the "
            "other; they are not applied otherwise."
        )
        periods = tuple(
            _unclear(
                s,
                next_period(s, scope.period) - timedelta(days=1),
                period_name(s, scope.period),
                sum(counts[s]),
                0,
                why,
            )
            for s in starts
        )
        return StageTrajectory(scope.period, periods, (), why + " " + METHOD)
    model = stage_model()
    first_harm = pattern.episodes[0].start if pattern.episodes else None
    features = _Features(scope, first_harm, model)
    known = model.features
    grouped: dict[date, list[tuple[str, TimedFinding]]] = defaultdict(list)
    for item in scope.findings:
        for feature in features.of(item):
            if feature in known:
                grouped[period_start(item.time.date(), scope.period)].append((feature, item))
    events: dict[date, list[Evidence]] = defaultdict(list)
    for gap in contact.gaps:
        if gap.kind == "leave_and_return":
            event = gap.return_signals[0] if gap.return_signals else gap.leave_signals[0]
            events[period_start(gap.end.date(), scope.period)].append(event)
    periods = tuple(
        _period(scope, model, s, grouped.get(s, []), events.get(s, []), (counts[s][0], counts[s][1])) for s in starts
    )
    return StageTrajectory(scope.period, periods, _transitions(periods), METHOD)
