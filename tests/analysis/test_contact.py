"""Gaps in contact, relative to the chat's rhythm, and attempts to leave followed by a return."""

from __future__ import annotations

import re
from datetime import timedelta
from importlib import resources

import pytest
import yaml

from bondlens.analysis.contact import MIN_GAP_DAYS, match_signal, signals
from tests.analysis.helpers import ME, THEM, Chat, day

SIGNAL_FILE = yaml.safe_load(
    resources.files("bondlens.analysis").joinpath("data/contact_signals.yaml").read_text(encoding="utf-8")
)
EXAMPLES = [
    (kind, item["id"], polarity, text)
    for kind in ("leave", "return")
    for item in SIGNAL_FILE[kind]
    for polarity in ("positive", "negative")
    for text in item["examples"][polarity]
]


@pytest.mark.parametrize(("kind", "signal_id", "polarity", "text"), EXAMPLES)
def test_every_signal_example(kind: str, signal_id: str, polarity: str, text: str) -> None:
    leave, back = signals()
    pattern = next(s.pattern for s in (leave if kind == "leave" else back) if s.id == signal_id)
    assert bool(pattern.search(text.replace("\u2019", "'"))) == (polarity == "positive"), (signal_id, text)


def test_signals_keep_the_original_words_and_straighten_apostrophes() -> None:
    leave, _ = signals()
    assert match_signal("I\u2019m leaving. Don\u2019t message me", leave) == ("leave.leaving", "I\u2019m leaving")
    assert all(isinstance(s.pattern, re.Pattern) for s in leave)


def test_a_block_a_silence_and_an_unblock_is_an_attempt_to_leave_and_a_return() -> None:
    chat = Chat().daily("2025-01-01", "2025-01-10").daily("2025-01-22", "2025-01-30")
    chat.say("2025-01-10 23:00", ME, "I'm going to my sister's for a few days. I need some space")
    chat.say("2025-01-10 23:05", THEM, "So you're leaving me")
    chat.say("2025-01-22 07:00", ME, "I unblocked you. I miss you")
    contact = chat.analyse().contact
    [gap] = contact.gaps
    assert gap.kind == "leave_and_return"
    assert gap.start.isoformat() == "2025-01-10T23:05:00" and gap.end.isoformat() == "2025-01-22T07:00:00"
    assert [e.label for e in gap.leave_signals] == ["leave.staying_elsewhere", "leave.they_see_it"]
    assert gap.return_signals[0].quote == "I unblocked you"
    assert gap.resumed_by == ME
    assert contact.attempts_to_leave == 1
    assert "attempt to leave" in gap.explanation


def test_a_holiday_silence_is_quiet_and_i_miss_you_alone_does_not_make_it_a_leave() -> None:
    chat = Chat().daily("2025-01-01", "2025-01-10").daily("2025-01-18", "2025-01-25")
    chat.say("2025-01-10 21:00", ME, "Can't wait for the trip tomorrow!")
    chat.say("2025-01-18 07:00", THEM, "Back home. I miss you already, best week ever")
    [gap] = chat.analyse().contact.gaps
    assert gap.kind == "quiet"


def test_an_unblock_alone_shows_the_leave() -> None:
    chat = Chat().daily("2025-01-01", "2025-01-10").daily("2025-01-20", "2025-01-25")
    chat.say("2025-01-20 06:00", ME, "I unblocked you")
    [gap] = chat.analyse().contact.gaps
    assert gap.kind == "leave_and_return"


def test_the_threshold_follows_the_chats_own_rhythm() -> None:
    daily = Chat().daily("2025-01-01", "2025-01-10").daily("2025-01-15", "2025-01-20").analyse().contact
    assert daily.typical_gap_days == 1 and daily.threshold_days == max(MIN_GAP_DAYS, 4.0)
    assert len(daily.gaps) == 1
    weekly = Chat()
    for week in range(12):
        weekly.say(day("2025-01-01 10:00") + timedelta(weeks=week, hours=week % 3), ME, "hi")
    result = weekly.analyse().contact
    assert result.typical_gap_days == 7 and result.threshold_days == 28
    assert result.gaps == ()  # a week without messages is normal in a weekly chat
