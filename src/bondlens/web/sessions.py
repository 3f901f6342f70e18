"""Sessions and the cases in them, kept in this process's memory only (nothing is written to disk).

A session is one browser: a random id in its one cookie, a CSRF secret, whether the safety screen was read,
and the cases (uploaded chats, and cases opened from the vault) it made. Cases that are in the vault leave the
session's memory as soon as the vault is locked. A case belongs to the session that uploaded it and cannot be seen from
another. Everything is forgotten when the server stops, when the person presses "Forget everything", or
after :attr:`~bondlens.web.config.WebConfig.session_idle_seconds` without a request.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bondlens.analysis import Analysis, PeriodCounts
from bondlens.model import Conversation, Finding
from bondlens.selfcheck import SelfCheckResult

SESSION_COOKIE = "bondlens_session"
JobState = Literal["queued", "running", "done", "failed"]


def new_id(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


@dataclass
class Progress:
    """How far the analysis of one case has got; read by the progress page while a worker thread writes it."""

    state: JobState = "queued"
    step: int = 0
    steps: int = 1
    stage: str = "Waiting to start"
    stage_started: float = field(default_factory=time.monotonic)
    stage_expected_seconds: float = 1.0
    started: float = field(default_factory=time.monotonic)
    error: str | None = None

    def enter(self, step: int, steps: int, stage: str, expected_seconds: float) -> None:
        self.state, self.step, self.steps, self.stage = "running", step, steps, stage
        self.stage_started, self.stage_expected_seconds = time.monotonic(), max(expected_seconds, 0.1)

    def fraction(self) -> float:
        """Done so far, 0..1: whole steps, plus within the current step an estimate from its expected time
        (capped below the next step, so the bar never claims more than is done)."""
        if self.state == "done":
            return 1.0
        if self.state != "running":
            return 0.0
        within = min((time.monotonic() - self.stage_started) / self.stage_expected_seconds, 0.95)
        return min((self.step - 1 + within) / self.steps, 0.99)


@dataclass
class Case:
    """One uploaded chat, and once the person has said who they are, its analysis."""

    id: str
    filename: str  # the name of the uploaded file, shown only to the person
    conversation: Conversation
    uploaded: datetime
    me: str | None = None
    progress: Progress | None = None
    analysis: Analysis | None = None
    weekly: tuple[PeriodCounts, ...] = ()  # the timeline per week, for the chart and the report
    charts: dict[str, str] = field(default_factory=dict)  # the report's charts as SVG documents, by name
    findings: tuple[Finding, ...] = ()  # what the detectors found, kept to store the case in the vault
    vault_id: int | None = None  # the case's number in the vault, once kept there (or when opened from it)
    label: str | None = None  # its label in the vault

    @property
    def name(self) -> str:
        """What the pages call it: the label the person chose, or the uploaded file's name."""
        return self.label if self.label is not None else self.filename

    @property
    def ready(self) -> bool:
        return self.analysis is not None


@dataclass
class Session:
    id: str
    csrf: str
    last_seen: float
    safety_read: bool = False
    cases: dict[str, Case] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # messages to show on a page, by a random key
    selfcheck_answers: dict[str, int | None] = field(default_factory=dict)
    selfcheck: SelfCheckResult | None = None
    selfcheck_kept: set[int] = field(default_factory=set)  # vault cases this self-check result was kept with
    plan_notes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # step id -> the person's own notes
    plan_country: str | None = None
    vault_tokens: dict[int, str] = field(default_factory=dict)  # vault case number -> this session's opaque name

    def add_error(self, message: str) -> str:
        key = new_id(8)
        if len(self.errors) >= 20:
            self.errors.pop(next(iter(self.errors)))
        self.errors[key] = message
        return key


class SessionStore:
    """Sessions by id. Thread-safe: routes run on the event loop and in worker threads."""

    def __init__(self, idle_seconds: float) -> None:
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self.idle_seconds = idle_seconds

    def get(self, session_id: str | None) -> Session | None:
        """The live session with this id (marked as used now), or None."""
        now = time.monotonic()
        with self._lock:
            self._sweep(now)
            session = self._sessions.get(session_id) if session_id else None
            if session is not None:
                session.last_seen = now
            return session

    def create(self) -> Session:
        session = Session(id=new_id(), csrf=new_id(), last_seen=time.monotonic())
        with self._lock:
            self._sessions[session.id] = session
        return session

    def forget(self, session_id: str) -> None:
        with self._lock:
            session = self._sessions.pop(session_id, None)
        if session is not None:
            session.cases.clear()
            session.errors.clear()
            session.selfcheck_answers.clear()
            session.plan_notes.clear()
            session.vault_tokens.clear()
            session.selfcheck_kept.clear()
            session.selfcheck = None

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def _sweep(self, now: float) -> None:
        stale = [sid for sid, s in self._sessions.items() if now - s.last_seen > self.idle_seconds]
        for sid in stale:
            self._sessions.pop(sid).cases.clear()
