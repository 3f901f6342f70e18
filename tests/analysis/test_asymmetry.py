"""Who does what to whom: counts, per 100 messages and per week, per speaker."""

from __future__ import annotations

import pytest

from tests.analysis.helpers import ME, THEM, Chat


def two_weeks() -> Chat:
    chat = Chat()
    for i in range(10):
        chat.say(f"2025-01-{1 + i:02d} 10:00", THEM, f"them {i}")
        chat.say(f"2025-01-{1 + i:02d} 11:00", ME, f"me {i}")
    chat.say("2025-01-15 10:00", ME, "last")  # the window is exactly two weeks
    return chat


def test_rates_per_speaker_per_100_messages_and_per_week() -> None:
    chat = two_weeks()
    chat.say("2025-01-03 12:00", THEM, "you're useless", "emotional_abuse")
    chat.say("2025-01-03 12:01", THEM, "shut up, you're pathetic", "emotional_abuse")
    chat.say("2025-01-04 09:00", THEM, "sorry, I love you", "reinforcement")
    chat.say("2025-01-04 09:05", ME, "it's my fault", "self_blame")
    result = chat.analyse()
    me, them = result.speakers
    assert me.is_me and me.participant_id == ME and them.participant_id == THEM
    assert them.messages == 13 and me.messages == 12
    assert me.weeks == them.weeks == pytest.approx(2.0)
    [abuse, reinforcement] = them.tactics
    assert (abuse.label, abuse.count) == ("emotional_abuse", 2)
    assert abuse.per_100_messages == pytest.approx(100 * 2 / 13, abs=1e-3)
    assert abuse.per_week == pytest.approx(1.0)
    assert reinforcement.label == "reinforcement" and reinforcement.count == 1
    assert them.harm_count == 2 and them.reinforcement_count == 1
    assert me.harm_count == 0 and [s.label for s in me.signs] == ["self_blame"]
    assert result.asymmetry.direction == "little_harm"  # two findings in all are too few to compare


def test_direction_of_the_harm() -> None:
    one_way = two_weeks()
    for i in range(4):
        one_way.say(f"2025-01-{2 + i:02d} 20:00", THEM, "you're pathetic", "emotional_abuse")
    result = one_way.analyse()
    assert result.asymmetry.direction == "mostly_them" and result.asymmetry.share_them == 1.0
    assert result.asymmetry.them == THEM
    both = two_weeks()
    for i in range(4):
        both.say(f"2025-01-{2 + i:02d} 20:00", THEM, "you're pathetic", "emotional_abuse")
        both.say(f"2025-01-{2 + i:02d} 20:01", ME, "you're pathetic", "emotional_abuse")
    assert both.analyse().asymmetry.direction == "mutual"
    mine = two_weeks()
    for i in range(4):
        mine.say(f"2025-01-{2 + i:02d} 20:01", ME, "you're pathetic", "emotional_abuse")
    assert mine.analyse().asymmetry.direction == "mostly_me"
