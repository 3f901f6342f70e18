"""From findings to insight: cycles of harm and reconciliation, stages, signs, contact, who does what.

>>> from bondlens import load_conversation
>>> from bondlens.detectors import detect
>>> from bondlens.analysis import analyse
>>> conversation = load_conversation("examples/whatsapp_cycle.txt")  # doctest: +SKIP
>>> result = analyse(conversation, detect(conversation), me="Alex")  # doctest: +SKIP

Give ``analyse`` the findings of ``detect(conversation)`` *without* ``me`` (every message read for tactics
and signs), so it can compare both sides: telling mutual conflict from one-sided harm needs the user's own
tactics too. Each step lives in its own module: :mod:`~bondlens.analysis.cycles`,
:mod:`~bondlens.analysis.stages`, :mod:`~bondlens.analysis.signs`, :mod:`~bondlens.analysis.asymmetry`,
:mod:`~bondlens.analysis.contact`, :mod:`~bondlens.analysis.trends`; :mod:`~bondlens.analysis.summary`
prints the result for a person and :mod:`~bondlens.analysis.schema` writes it as JSON (schema v1).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bondlens.analysis.asymmetry import asymmetry, speaker_profiles
from bondlens.analysis.contact import contact_pattern
from bondlens.analysis.cycles import cycle_pattern
from bondlens.analysis.model import (
    Analysis,
    Asymmetry,
    ContactGap,
    ContactPattern,
    ConversationInfo,
    Cycle,
    CyclePattern,
    Episode,
    Evidence,
    LabelRate,
    Period,
    PeriodCounts,
    SignSummary,
    SpeakerProfile,
    StagePeriod,
    StageTrajectory,
    StageTransition,
    Trend,
)
from bondlens.analysis.scope import Scope
from bondlens.analysis.signs import sign_summaries
from bondlens.analysis.stages import stage_trajectory
from bondlens.analysis.timeline import timeline
from bondlens.errors import BondlensError
from bondlens.model import Conversation, Finding

ONE_SIDED_NOTE = (
    "Tactics seem to have been looked for only in the other person's messages and signs only in yours "
    "(detect(..., me=...)), so the comparison of both sides and the test for mutual conflict see one side only."
)
NAIVE_NOTE = "Times are the exporting device's clock; the export recorded no time zone."


def _notes(scope: Scope, conversation: Conversation) -> tuple[str, ...]:
    notes: list[str] = []
    if not scope.messages:
        notes.append("There are no messages in the chosen dates.")
    findings = [t.finding for t in scope.findings]
    if findings:
        my_tactics = any(f.sender == scope.me and f.label_set == "tactic" for f in findings)
        their_signs = any(f.sender != scope.me and f.label_set == "sign" for f in findings)
        if not my_tactics and not their_signs:
            notes.append(ONE_SIDED_NOTE)
    if conversation.naive_timestamps:
        notes.append(NAIVE_NOTE)
    return tuple(notes)


def analyse(
    conversation: Conversation,
    findings: Iterable[Finding],
    *,
    me: str,
    since: date | None = None,
    until: date | None = None,
    period: Period = "month",
) -> Analysis:
    """Turn per-message findings into the picture over time, seen from ``me`` (a participant id).

    ``since`` and ``until`` (inclusive days) restrict the analysis to part of the conversation; ``period``
    is the unit of the stage trajectory and the timeline. Raises :class:`BondlensError` when ``me`` is not
    a participant: the user must say who they are, it is never guessed.
    """
    ids = [p.id for p in conversation.participants]
    if me not in ids:
        names = ", ".join(f"{p.name!r} (id {p.id!r})" for p in conversation.participants)
        raise BondlensError(f"me={me!r} is not a participant id of this conversation; participants: {names}")
    if period not in ("month", "week"):
        raise BondlensError(f"period must be 'month' or 'week', not {period!r}")
    if since is not None and until is not None and since > until:
        raise BondlensError(f"the start date {since} is after the end date {until}")
    scope = Scope.build(conversation, findings, me, period, since, until)
    contact = contact_pattern(scope)
    profiles = speaker_profiles(scope)
    balance = asymmetry(scope, profiles)
    patterns = tuple(cycle_pattern(scope, person, contact) for person in scope.others)
    main = next((p for p in patterns if p.participant_id == balance.them), patterns[0] if patterns else None)
    info = ConversationInfo(
        format=conversation.format,
        title=conversation.title,
        source=conversation.source,
        participants=conversation.participants,
        naive_timestamps=conversation.naive_timestamps,
        first_timestamp=scope.first,
        last_timestamp=scope.last,
        messages=len(scope.messages),
    )
    return Analysis(
        conversation=info,
        me=me,
        since=since,
        until=until,
        detectors=tuple(sorted({t.finding.detector for t in scope.findings})),
        findings=len(scope.findings),
        speakers=profiles,
        asymmetry=balance,
        patterns=patterns,
        stages=stage_trajectory(scope, main, contact),
        signs=sign_summaries(scope),
        contact=contact,
        timeline=timeline(scope),
        notes=_notes(scope, conversation),
    )


__all__ = [
    "Analysis",
    "Asymmetry",
    "ContactGap",
    "ContactPattern",
    "ConversationInfo",
    "Cycle",
    "CyclePattern",
    "Episode",
    "Evidence",
    "LabelRate",
    "PeriodCounts",
    "SignSummary",
    "SpeakerProfile",
    "StagePeriod",
    "StageTrajectory",
    "StageTransition",
    "Trend",
    "analyse",
]
