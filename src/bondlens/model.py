"""The data model shared by every stage: a conversation and its messages.

Every importer produces exactly one :class:`Conversation`. Timestamps are either all timezone-aware
(the export carried an offset or Unix time) or all naive, meaning wall-clock time on the exporting device
with no zone recorded; :attr:`Conversation.naive_timestamps` says which, so nothing downstream guesses.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

AttachmentKind = Literal[
    "image", "video", "audio", "voice", "document", "sticker", "gif", "contact", "location", "media", "other"
]
ATTACHMENT_KINDS: tuple[str, ...] = (
    "image",
    "video",
    "audio",
    "voice",
    "document",
    "sticker",
    "gif",
    "contact",
    "location",
    "media",
    "other",
)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file or item sent with a message. ``name`` is None when the export omitted it ("<Media omitted>")."""

    kind: AttachmentKind
    name: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True, slots=True)
class Participant:
    """A person in the conversation. ``id`` is what :attr:`Message.sender` refers to."""

    id: str
    name: str
    handle: str | None = None  # phone number, username or address when the export gives one


@dataclass(frozen=True, slots=True)
class Message:
    """One message, or one system line ("Messages are end-to-end encrypted", "X left").

    ``source_line`` is the 1-based line where the message starts in a text export; ``source_record`` is the
    0-based index of the record in a structured export (JSON array element, CSV row, XML element) or,
    for a database such as chat.db, the row id. At least
    one of them is set so every message can be found again in the original file.
    """

    id: int
    timestamp: datetime
    sender: str | None
    text: str
    attachments: tuple[Attachment, ...] = ()
    is_system: bool = False
    source_line: int | None = None
    source_record: int | None = None


@dataclass(frozen=True, slots=True)
class SourceFile:
    """Where a conversation came from. ``sha256`` is of the file exactly as given (the zip, not its member)."""

    path: str
    sha256: str
    size: int
    member: str | None = None  # the file inside an archive that held the chat, e.g. "_chat.txt"


@dataclass(frozen=True)
class Conversation:
    """One imported chat: its participants and its messages in export order."""

    format: str
    source: SourceFile
    participants: tuple[Participant, ...]
    messages: tuple[Message, ...]
    naive_timestamps: bool
    title: str | None = None
    warnings: tuple[str, ...] = ()
    _by_id: dict[str, Participant] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids = {p.id for p in self.participants}
        if len(ids) != len(self.participants):
            raise ValueError("participant ids must be unique")
        for m in self.messages:
            if (m.timestamp.tzinfo is None) != self.naive_timestamps:
                kind = "naive" if self.naive_timestamps else "timezone-aware"
                raise ValueError(f"message {m.id}: every timestamp must be {kind}")
            if m.sender is not None and m.sender not in ids:
                raise ValueError(f"message {m.id}: sender {m.sender!r} is not a participant")
        self._by_id.update({p.id: p for p in self.participants})

    def participant(self, participant_id: str) -> Participant:
        return self._by_id[participant_id]

    def sender_name(self, message: Message) -> str | None:
        return None if message.sender is None else self._by_id[message.sender].name

    def user_messages(self) -> tuple[Message, ...]:
        """The messages people wrote, without system lines."""
        return tuple(m for m in self.messages if not m.is_system)

    def message_counts(self) -> Counter[str]:
        """Messages per participant id (system lines are not counted)."""
        return Counter(m.sender for m in self.messages if m.sender is not None and not m.is_system)

    @property
    def first_timestamp(self) -> datetime | None:
        return min((m.timestamp for m in self.messages), default=None)

    @property
    def last_timestamp(self) -> datetime | None:
        return max((m.timestamp for m in self.messages), default=None)


LabelSet = Literal["tactic", "sign"]


@dataclass(frozen=True, slots=True)
class Span:
    """Character offsets into :attr:`Message.text`: ``text[start:end]`` is the evidence."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One thing that changed a finding's score, and why (negation, quotation, a joke marker ...)."""

    modifier: str
    factor: float
    reason: str


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a message was flagged: which rule or model fired, on which words, and what adjusted the score."""

    summary: str
    rule_id: str | None = None
    matched: str = ""
    base_score: float = 0.0
    adjustments: tuple[Adjustment, ...] = ()
    source: str | None = None

    def text(self) -> str:
        """The explanation as one readable sentence or two."""
        parts = [self.summary]
        for adj in self.adjustments:
            parts.append(f"{adj.reason} (score ×{adj.factor:g}).")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Finding:
    """One indication in one message: what was found (``label`` of ``label_set``), where, how sure, and why."""

    detector: str
    label: str
    label_set: LabelSet
    message_id: int
    sender: str | None
    span: Span
    evidence: str
    score: float
    explanation: Explanation

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score {self.score} is outside [0, 1]")
        if self.span.end - self.span.start != len(self.evidence):
            raise ValueError("the evidence must be exactly the text of the span")
