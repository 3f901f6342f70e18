"""The results of :func:`bondlens.analysis.analyse`: frozen dataclasses that carry their own evidence.

Every result that says something about the relationship holds the messages it rests on (:class:`Evidence`:
message id, time, sender, the exact words that were flagged and the whole message, unaltered) and a plain
``explanation``. Nothing here refers back to the :class:`~bondlens.model.Conversation` object, so an
:class:`Analysis` can be stored, compared and serialised on its own (see :mod:`bondlens.analysis.schema`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bondlens.model import Participant, SourceFile

TrendDirection = Literal["escalating", "de_escalating", "no_clear_trend", "too_few_data"]
PatternStatus = Literal[
    "cycle",  # harm -> reinforcement -> harm again, at least MIN_CYCLES times, the harm mostly one-sided
    "single_sequence",  # one harm -> reinforcement, not repeated
    "harm_without_reconciliation",  # harm episodes with no reinforcement after them
    "mutual_conflict",  # harm on both sides at comparable levels
    "no_harm_episodes",  # nothing rose to the level of a harm episode
]
AsymmetryDirection = Literal["mostly_them", "mostly_me", "mutual", "little_harm"]
GapKind = Literal["leave_and_return", "possible_leave", "quiet"]
Period = Literal["month", "week"]
UNCLEAR = "unclear"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One message that supports a result: ``quote`` is the flagged words, ``text`` the whole message."""

    message_id: int
    timestamp: datetime
    sender: str | None
    label: str  # a taxonomy id (tactic or sign), or a contact signal id such as "leave_signal"
    quote: str
    text: str
    score: float | None = None
    source_line: int | None = None
    source_record: int | None = None


@dataclass(frozen=True, slots=True)
class LabelRate:
    """How often one label appears in one person's messages."""

    label: str
    label_set: str
    count: int
    per_100_messages: float
    per_week: float
    mean_score: float


@dataclass(frozen=True, slots=True)
class SpeakerProfile:
    """Who sends what: one participant's tactics and signs, counted and normalised."""

    participant_id: str
    name: str
    is_me: bool
    messages: int
    weeks: float  # the length of the analysed window in weeks (the same for everyone)
    harm_count: int  # tactic findings other than reinforcement
    harm_per_100_messages: float
    harm_per_week: float
    reinforcement_count: int
    tactics: tuple[LabelRate, ...]
    signs: tuple[LabelRate, ...]


@dataclass(frozen=True, slots=True)
class Asymmetry:
    """Whether the harm runs mostly one way. ``share_them`` is their harm rate over both rates (0..1)."""

    me: str
    them: str | None
    share_them: float | None
    direction: AsymmetryDirection
    explanation: str


@dataclass(frozen=True, slots=True)
class Episode:
    """A cluster of harm in one person's messages, close together in time."""

    participant_id: str
    start: datetime
    end: datetime
    intensity: float
    labels: tuple[str, ...]
    findings: int
    one_sided: bool
    other_side_intensity: float  # harm in the other side's messages over the same stretch of time
    evidence: tuple[Evidence, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class Cycle:
    """Harm, then reinforcement (apology, affection, promises), then - unless it is the last - harm again."""

    number: int
    harm: Episode
    reinforcement_start: datetime
    reinforcement_end: datetime
    reinforcement: tuple[Evidence, ...]
    next_harm_start: datetime | None
    period_days: float | None  # from this harm to the next, in days of contact (no-contact gaps left out)
    calm_days: float | None  # from the first reinforcement to the next harm, in days of contact
    explanation: str

    @property
    def start(self) -> datetime:
        return self.harm.start


@dataclass(frozen=True, slots=True)
class Trend:
    """A trend test over a series, with its figure of confidence (``1 - p``)."""

    quantity: str  # "intensity" or "frequency"
    method: str
    n: int
    statistic: float | None  # Kendall's tau
    p_value: float | None
    confidence: float | None
    direction: TrendDirection
    values: tuple[float, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class CyclePattern:
    """The harm-and-reconciliation picture for one other participant."""

    participant_id: str
    status: PatternStatus
    episodes: tuple[Episode, ...]
    cycles: tuple[Cycle, ...]
    median_period_days: float | None
    intensity_trend: Trend
    frequency_trend: Trend
    explanation: str


@dataclass(frozen=True, slots=True)
class StagePeriod:
    """The most likely of the seven stages in one period, or "unclear", with the findings behind it."""

    start: date
    end: date  # the last day of the period
    name: str  # "March 2026", "week of 2026-03-02"
    stage: str  # a stage id from the taxonomy, or "unclear"
    confidence: float
    scores: tuple[tuple[str, float], ...]  # every stage with its share of the evidence, best first
    messages: int
    findings: int
    evidence: tuple[Evidence, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class StageTransition:
    date: date
    from_stage: str
    to_stage: str


@dataclass(frozen=True, slots=True)
class StageTrajectory:
    period: Period
    periods: tuple[StagePeriod, ...]
    transitions: tuple[StageTransition, ...]
    method: str


@dataclass(frozen=True, slots=True)
class SignSummary:
    """One sign in the user's own messages."""

    label: str
    count: int
    per_100_messages: float
    first_seen: datetime
    last_seen: datetime
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class ContactGap:
    """A stretch with no messages, unusually long for this chat, and what surrounded it."""

    start: datetime  # the last message before the gap
    end: datetime  # the first message after it
    days: float
    times_typical: float  # how many times the chat's typical gap between active days
    kind: GapKind
    resumed_by: str | None  # who wrote first after the gap
    leave_signals: tuple[Evidence, ...]
    return_signals: tuple[Evidence, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class ContactPattern:
    typical_gap_days: float  # median gap between consecutive days with messages
    threshold_days: float
    gaps: tuple[ContactGap, ...]
    attempts_to_leave: int  # gaps of kind leave_and_return
    explanation: str


@dataclass(frozen=True, slots=True)
class PeriodCounts:
    """Counts for one period of the timeline, per participant id."""

    start: date
    messages: tuple[tuple[str, int], ...]
    harm: tuple[tuple[str, int], ...]
    reinforcement: tuple[tuple[str, int], ...]
    signs: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class ConversationInfo:
    """What the analysis needs to say about the conversation, without its messages."""

    format: str
    title: str | None
    source: SourceFile
    participants: tuple[Participant, ...]
    naive_timestamps: bool
    first_timestamp: datetime | None
    last_timestamp: datetime | None
    messages: int  # user messages in the analysed window

    def name(self, participant_id: str | None) -> str:
        for p in self.participants:
            if p.id == participant_id:
                return p.name
        return participant_id or "?"


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything :func:`~bondlens.analysis.analyse` found, with evidence. Indications, never a diagnosis."""

    conversation: ConversationInfo
    me: str
    since: date | None
    until: date | None
    detectors: tuple[str, ...]
    findings: int
    speakers: tuple[SpeakerProfile, ...]
    asymmetry: Asymmetry
    patterns: tuple[CyclePattern, ...]
    stages: StageTrajectory
    signs: tuple[SignSummary, ...]
    contact: ContactPattern
    timeline: tuple[PeriodCounts, ...]
    notes: tuple[str, ...]

    @property
    def pattern(self) -> CyclePattern | None:
        """The pattern for the person whose messages hold the most harm (in a two-person chat: the other)."""
        if not self.patterns:
            return None
        them = self.asymmetry.them
        return next((p for p in self.patterns if p.participant_id == them), self.patterns[0])

    @property
    def cycles(self) -> tuple[Cycle, ...]:
        pattern = self.pattern
        return pattern.cycles if pattern is not None else ()
