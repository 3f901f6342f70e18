"""The harm-and-reconciliation cycle: harm episodes, the reinforcement after them, and harm again.

The algorithm, for each participant other than ``me`` (call them P):

1. **Harm episodes.** P's harm findings (every tactic except ``reinforcement``), in time order, are grouped:
   a new episode starts when more than ``EPISODE_GAP`` (36 h) passes between two harm findings, or more
   than ``REPAIR_GAP`` (20 h) passes with a reinforcement finding from P in between (they made up, then
   harmed again). A harm message, an apology two hours later and more harm the same night is one episode.
2. **Intensity.** An episode's intensity is, over its distinct tactics, the tactic's ``SEVERITY`` times its
   best score, plus ``REPEAT_WEIGHT`` times the scores of its repeats (at most ``REPEAT_CAP``). It grows
   with how severe and how varied the harm is, and only slowly with how chatty the fight was. Episodes
   below ``MIN_EPISODE_INTENSITY`` (one mild remark) are not episodes.
3. **One-sided or mutual.** The harm in ``me``'s messages from ``MUTUAL_WINDOW`` before to after the
   episode is measured the same way. If it reaches ``MUTUAL_RATIO`` of P's, the episode is mutual (both
   sides hurting each other). When fewer than half the episodes are one-sided, the pattern is
   ``mutual_conflict`` and no cycle is reported: the trauma-bond cycle is one person alternating harm and
   reinforcement towards the other, not two people fighting and making up.
4. **Cycles.** A one-sided episode whose harm is followed, within ``REPAIR_WINDOW`` of its end (7 days
   of contact: time apart is not counted, so an apology on the day of a return counts), by reinforcement
   from P (apology, love bombing, promises, gifts) before the next episode starts, opens a cycle; the next
   episode closes it. ``MIN_CYCLES`` (2) such sequences are needed before anything is
   called a cycle: one argument followed by one apology is ordinary life, and is described but not counted.
5. **Period and trend.** A cycle's period is the time from its harm to the next harm, in days of contact
   (gaps that look like time apart are left out: no harm can happen while apart). The intensity series of
   the cycles' harm episodes and the series of periods are tested with the Mann–Kendall test
   (:mod:`bondlens.analysis.trends`): rising intensity, or shrinking periods, is escalation.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise

from bondlens.analysis.contact import away_intervals, contact_days
from bondlens.analysis.model import ContactPattern, Cycle, CyclePattern, Episode, PatternStatus, Trend
from bondlens.analysis.scope import Scope, TimedFinding, TimeIndex, strongest
from bondlens.analysis.trends import trend
from bondlens.taxonomy import labels as taxonomy_labels

# How much one finding of each tactic weighs in an episode's intensity (the best score of the tactic is
# multiplied by this). Threats and intimidation (fear for safety) weigh most; control of decisions and
# blame weigh least, because ordinary couples also argue about plans and fault.
SEVERITY: dict[str, float] = {
    "intimidation": 1.0,
    "coercion_threats": 1.0,
    "emotional_abuse": 0.8,
    "isolation": 0.7,
    "financial_abuse": 0.7,
    "decision_control": 0.6,
    "blame_minimise_deny": 0.6,
}
DEFAULT_SEVERITY = 0.6  # a tactic label this table does not know (a plugin's)
REPEAT_WEIGHT = 0.25  # each further finding of a tactic in the same episode adds a quarter of its score
REPEAT_CAP = 2.0  # ... up to two findings' worth
EPISODE_GAP = timedelta(hours=36)
REPAIR_GAP = timedelta(hours=20)
MIN_EPISODE_INTENSITY = 0.75  # e.g. one clear threat (0.9 x 1.0), or an insult plus a blaming remark
MUTUAL_WINDOW = timedelta(hours=12)
MUTUAL_RATIO = 0.5
REPAIR_WINDOW = timedelta(days=7)
MIN_CYCLES = 2
MAX_EVIDENCE = 5


def intensity(items: Sequence[TimedFinding]) -> float:
    """Severity-weighted intensity of a set of harm findings (see the module docstring)."""
    scores: dict[str, list[float]] = {}
    for item in items:
        scores.setdefault(item.finding.label, []).append(item.finding.score)
    total = 0.0
    for label, values in scores.items():
        values.sort(reverse=True)
        repeats = min(sum(values[1:]), REPEAT_CAP)
        total += SEVERITY.get(label, DEFAULT_SEVERITY) * (values[0] + REPEAT_WEIGHT * repeats)
    return total


def _clusters(harm: Sequence[TimedFinding], repairs: Sequence[datetime]) -> list[list[TimedFinding]]:
    clusters: list[list[TimedFinding]] = []
    for item in harm:
        if clusters:
            last = clusters[-1][-1].time
            gap = item.time - last
            repaired = bisect_left(repairs, item.time) > bisect_left(repairs, last)
            if gap <= EPISODE_GAP and not (repaired and gap > REPAIR_GAP):
                clusters[-1].append(item)
                continue
        clusters.append([item])
    return clusters


def _names(label_ids: Sequence[str]) -> str:
    names = taxonomy_labels()
    return ", ".join(names[label].name.lower() if label in names else label for label in label_ids)


def episodes(scope: Scope, person: str) -> tuple[Episode, ...]:
    """The harm episodes in ``person``'s messages, each marked one-sided or mutual."""
    repairs = [t.time for t in scope.reinforcement_of(person)]
    other_side = TimeIndex(scope.harm_of(scope.me))
    found: list[Episode] = []
    for cluster in _clusters(scope.harm_of(person), repairs):
        level = intensity(cluster)
        if level < MIN_EPISODE_INTENSITY:
            continue
        start, end = cluster[0].time, cluster[-1].time
        theirs = intensity(other_side.between(start - MUTUAL_WINDOW, end + MUTUAL_WINDOW))
        one_sided = theirs < MUTUAL_RATIO * level
        counted = Counter(t.finding.label for t in cluster)
        labels = tuple(label for label, _ in counted.most_common())
        messages = len({t.finding.message_id for t in cluster})
        text = (
            f"{messages} message(s) from {scope.name(person)} between {start:%d %b %Y %H:%M} and "
            f"{end:%d %b %Y %H:%M} hold {_names(labels)} (intensity {level:.2f})."
        )
        if not one_sided:
            text += (
                f" {scope.name(scope.me)}'s messages around the same time also hold harm (intensity {theirs:.2f}),"
                " so this looks like a fight on both sides rather than one-sided harm."
            )
        found.append(
            Episode(
                participant_id=person,
                start=start,
                end=end,
                intensity=round(level, 4),
                labels=labels,
                findings=len(cluster),
                one_sided=one_sided,
                other_side_intensity=round(theirs, 4),
                evidence=tuple(scope.evidence(t.finding) for t in strongest(cluster, MAX_EVIDENCE)),
                explanation=text,
            )
        )
    return tuple(found)


def _cycle(
    scope: Scope,
    number: int,
    episode: Episode,
    repairs: TimeIndex,
    next_start: datetime | None,
    away: Sequence[tuple[datetime, datetime]],
) -> Cycle | None:
    window = REPAIR_WINDOW / timedelta(days=1)
    phase_end = next_start - timedelta(microseconds=1) if next_start is not None else (scope.last or episode.end)
    phase = [t for t in repairs.between(episode.start, phase_end) if t.time > episode.start]
    if not phase or contact_days(episode.end, phase[0].time, away) > window:
        return None
    first = phase[0]
    if next_start is None:  # the last cycle: its reinforcement phase is what came soon after, not all that followed
        phase = [t for t in phase if contact_days(first.time, t.time, away) <= window]
    shown = [first, *(t for t in strongest(phase, MAX_EVIDENCE) if t.finding.message_id != first.finding.message_id)]
    shown = sorted(shown[:MAX_EVIDENCE], key=lambda t: t.time)
    period = contact_days(episode.start, next_start, away) if next_start is not None else None
    calm = contact_days(first.time, next_start, away) if next_start is not None else None
    name = scope.name(episode.participant_id)
    text = (
        f"Harm from {name} on {episode.start:%d %b %Y} ({_names(episode.labels)}), then reinforcement from "
        f'{name} on {first.time:%d %b %Y}: "{first.finding.evidence}".'
    )
    if next_start is not None and period is not None:
        text += f" Harm again on {next_start:%d %b %Y}, {period:.1f} days of contact later."
    else:
        text += " No further harm after it in the messages read."
    return Cycle(
        number=number,
        harm=episode,
        reinforcement_start=first.time,
        reinforcement_end=phase[-1].time,
        reinforcement=tuple(scope.evidence(t.finding) for t in shown),
        next_harm_start=next_start,
        period_days=None if period is None else round(period, 3),
        calm_days=None if calm is None else round(calm, 3),
        explanation=text,
    )


def _trends(series: Sequence[Episode], away: Sequence[tuple[datetime, datetime]]) -> tuple[Trend, Trend]:
    levels = [e.intensity for e in series]
    gaps = [contact_days(a.start, b.start, away) for a, b in pairwise(series)]
    return (
        trend("intensity", levels, rising_is_escalation=True, what="harm intensity per episode"),
        trend("frequency", gaps, rising_is_escalation=False, what="days of contact between episodes"),
    )


def cycle_pattern(scope: Scope, person: str, contact: ContactPattern) -> CyclePattern:
    """The harm-and-reconciliation pattern in ``person``'s messages towards ``scope.me``."""
    found = episodes(scope, person)
    away = away_intervals(contact)
    name = scope.name(person)
    if not found:
        intensity_trend, frequency_trend = _trends((), away)
        return CyclePattern(
            person,
            "no_harm_episodes",
            (),
            (),
            None,
            intensity_trend,
            frequency_trend,
            f"No cluster of harmful messages from {name} was strong enough to count as an episode of harm.",
        )
    one_sided = sum(1 for e in found if e.one_sided)
    if 2 * one_sided < len(found):
        intensity_trend, frequency_trend = _trends(found, away)
        return CyclePattern(
            person,
            "mutual_conflict",
            found,
            (),
            None,
            intensity_trend,
            frequency_trend,
            f"{len(found) - one_sided} of {len(found)} episodes of harm in {name}'s messages came with harm in "
            f"{scope.name(scope.me)}'s messages too. That looks like conflict on both sides, not a one-sided "
            "cycle of harm and reconciliation, so no cycle is reported.",
        )
    repairs = TimeIndex(scope.reinforcement_of(person))
    cycles: list[Cycle] = []
    for i, episode in enumerate(found):
        if not episode.one_sided:
            continue
        next_start = found[i + 1].start if i + 1 < len(found) else None
        cycle = _cycle(scope, len(cycles) + 1, episode, repairs, next_start, away)
        if cycle is not None:
            cycles.append(cycle)
    status: PatternStatus
    if not cycles:
        status = "harm_without_reconciliation"
        text = (
            f"{len(found)} episode(s) of harm in {name}'s messages, with no apology, affection or promise from "
            f"{name} after them: harm without the reconciliation half of the cycle."
        )
    elif len(cycles) < MIN_CYCLES:
        status = "single_sequence"
        only = cycles[0]
        text = (
            f"Once, harm from {name} ({only.harm.start:%d %b %Y}) was followed by reinforcement "
            f"({only.reinforcement_start:%d %b %Y}). A single sequence is not a repeating cycle."
        )
    else:
        status = "cycle"
        text = (
            f"{name}'s messages show harm followed by apology, affection or promises, and then harm again: "
            f"{len(cycles)} times between {cycles[0].start:%d %b %Y} and {cycles[-1].start:%d %b %Y}."
        )
    periods = [c.period_days for c in cycles if c.period_days is not None]
    median = round(statistics.median(periods), 3) if status == "cycle" and periods else None
    if median is not None:
        text += f" Median time from one harm to the next: {median:.1f} days."
    mutual = len(found) - one_sided
    if mutual:
        text += f" {mutual} episode(s) had harm on both sides and do not start a cycle."
    series = [c.harm for c in cycles] if status == "cycle" else list(found)
    intensity_trend, frequency_trend = _trends(series, away)
    return CyclePattern(
        person,
        status,
        found,
        tuple(cycles) if status == "cycle" else (),
        median,
        intensity_trend,
        frequency_trend,
        text,
    )
