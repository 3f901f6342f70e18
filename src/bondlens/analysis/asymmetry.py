"""Who does what to whom: each participant's tactics and signs, counted, per 100 messages and per week.

Tactics are counted in the messages of whoever sent them and signs likewise, so the table is only as
two-sided as the findings: run the detector with ``me=None`` (as ``bondlens analyse`` does) to read every
message for both. The asymmetry compares the harm rate (tactic findings other than reinforcement per 100
messages) of the participant with the most harm against the user's own: ``share_them`` is their rate over
the sum of both. At ``ASYMMETRY_SHARE`` or more it is mostly them; at ``1 - ASYMMETRY_SHARE`` or less mostly
the user; in between, mutual. Fewer than ``MIN_HARM`` harm findings in all is "little harm".
"""

from __future__ import annotations

from collections import defaultdict

from bondlens.analysis.model import Asymmetry, AsymmetryDirection, LabelRate, SpeakerProfile
from bondlens.analysis.scope import REINFORCEMENT, Scope, is_harm
from bondlens.taxonomy import SIGNS, TACTICS

ASYMMETRY_SHARE = 0.75
MIN_HARM = 3


def _rates(scope: Scope, person: str, label_set: str, order: tuple[str, ...], messages: int) -> tuple[LabelRate, ...]:
    scores: dict[str, list[float]] = defaultdict(list)
    for item in scope.of(person):
        if item.finding.label_set == label_set:
            scores[item.finding.label].append(item.finding.score)
    known = [label for label in order if label in scores] + sorted(set(scores) - set(order))
    per = 100.0 / messages if messages else 0.0
    return tuple(
        LabelRate(
            label=label,
            label_set=label_set,
            count=len(scores[label]),
            per_100_messages=round(len(scores[label]) * per, 3),
            per_week=round(len(scores[label]) / scope.weeks, 3),
            mean_score=round(sum(scores[label]) / len(scores[label]), 4),
        )
        for label in known
    )


def speaker_profiles(scope: Scope) -> tuple[SpeakerProfile, ...]:
    """One profile per participant, the user first."""
    counts: dict[str, int] = defaultdict(int)
    for message in scope.messages:
        if message.sender is not None:
            counts[message.sender] += 1
    order = [scope.me, *scope.others]
    profiles = []
    for person in order:
        messages = counts.get(person, 0)
        harm = sum(1 for t in scope.of(person) if is_harm(t.finding))
        reinforcement = sum(1 for t in scope.of(person) if t.finding.label == REINFORCEMENT)
        profiles.append(
            SpeakerProfile(
                participant_id=person,
                name=scope.name(person),
                is_me=person == scope.me,
                messages=messages,
                weeks=round(scope.weeks, 3),
                harm_count=harm,
                harm_per_100_messages=round(100.0 * harm / messages, 3) if messages else 0.0,
                harm_per_week=round(harm / scope.weeks, 3),
                reinforcement_count=reinforcement,
                tactics=_rates(scope, person, "tactic", TACTICS, messages),
                signs=_rates(scope, person, "sign", SIGNS, messages),
            )
        )
    return tuple(profiles)


def asymmetry(scope: Scope, profiles: tuple[SpeakerProfile, ...]) -> Asymmetry:
    """Whether the harm runs mostly from one person to the other."""
    mine = next(p for p in profiles if p.is_me)
    others = [p for p in profiles if not p.is_me]
    them = max(others, key=lambda p: (p.harm_per_100_messages, p.messages), default=None)
    total = mine.harm_count + (them.harm_count if them else 0)
    if them is None or total < MIN_HARM:
        return Asymmetry(
            scope.me,
            them.participant_id if them else None,
            None,
            "little_harm",
            f"Only {total} harmful message finding(s) in all: too few to say who does what to whom.",
        )
    both = them.harm_per_100_messages + mine.harm_per_100_messages
    share = them.harm_per_100_messages / both if both else 0.5
    direction: AsymmetryDirection
    if share >= ASYMMETRY_SHARE:
        direction = "mostly_them"
    elif share <= 1 - ASYMMETRY_SHARE:
        direction = "mostly_me"
    else:
        direction = "mutual"
    rates = (
        f"{them.name}: {them.harm_count} ({them.harm_per_100_messages:.1f} per 100 messages); "
        f"{mine.name}: {mine.harm_count} ({mine.harm_per_100_messages:.1f} per 100 messages)"
    )
    meaning = {
        "mostly_them": f"the harm runs mostly from {them.name} to {mine.name}",
        "mostly_me": f"the harm runs mostly from {mine.name} to {them.name}",
        "mutual": "harm appears on both sides at comparable rates",
    }[direction]
    return Asymmetry(
        scope.me,
        them.participant_id,
        round(share, 4),
        direction,
        f"Harmful-tactic findings: {rates}. By these counts {meaning}.",
    )
