"""The cycle algorithm on tiny chats with exact findings: episodes, one-sided or mutual, cycles, periods."""

from __future__ import annotations

import pytest

from bondlens.analysis import analyse
from bondlens.analysis.cycles import MIN_EPISODE_INTENSITY, SEVERITY, intensity
from bondlens.analysis.scope import TimedFinding
from tests.analysis.helpers import ME, THEM, Chat, day, finding


def fight(chat: Chat, when: str, *, mine: bool = False) -> None:
    """An evening of harm from them (and, with ``mine``, as much back from me)."""
    date = when[:10]
    chat.say(f"{date} 21:00", THEM, "you're pathetic", "emotional_abuse")
    chat.say(f"{date} 21:05", THEM, "you made me do this", "blame_minimise_deny")
    if mine:
        chat.say(f"{date} 21:06", ME, "no, you're pathetic", "emotional_abuse")
        chat.say(f"{date} 21:07", ME, "it's your fault", "blame_minimise_deny")


def sorry(chat: Chat, when: str, who: str = THEM) -> None:
    chat.say(f"{when[:10]} 09:00", who, "I'm so sorry, it will never happen again", "reinforcement")


def test_harm_apology_harm_repeated_is_a_cycle_with_dates_periods_and_evidence() -> None:
    chat = Chat().daily("2025-01-01", "2025-02-28")
    for harm, repair in (("2025-01-10", "2025-01-11"), ("2025-01-20", "2025-01-21"), ("2025-01-30", "2025-01-31")):
        fight(chat, harm)
        sorry(chat, repair)
    pattern = chat.analyse().pattern
    assert pattern is not None and pattern.status == "cycle"
    assert [c.start.date().isoformat() for c in pattern.cycles] == ["2025-01-10", "2025-01-20", "2025-01-30"]
    assert [c.reinforcement_start.date().isoformat() for c in pattern.cycles] == [
        "2025-01-11",
        "2025-01-21",
        "2025-01-31",
    ]
    assert [c.period_days for c in pattern.cycles] == [10.0, 10.0, None]
    assert pattern.median_period_days == 10.0
    first = pattern.cycles[0]
    assert {e.quote for e in first.harm.evidence} == {"you're pathetic", "you made me do this"}
    assert first.reinforcement[0].quote == "I'm so sorry, it will never happen again"
    assert "10 Jan 2025" in first.explanation and "11 Jan 2025" in first.explanation


def test_one_argument_and_one_apology_is_not_a_cycle() -> None:
    chat = Chat().daily("2025-01-01", "2025-01-31")
    fight(chat, "2025-01-10")
    sorry(chat, "2025-01-11")
    pattern = chat.analyse().pattern
    assert pattern is not None
    assert pattern.status == "single_sequence"
    assert pattern.cycles == ()


def test_harm_without_any_reinforcement_is_reported_as_such() -> None:
    chat = Chat().daily("2025-01-01", "2025-02-28")
    for when in ("2025-01-05", "2025-01-15", "2025-01-25", "2025-02-05"):
        fight(chat, when)
    pattern = chat.analyse().pattern
    assert pattern is not None
    assert pattern.status == "harm_without_reconciliation"
    assert pattern.cycles == () and len(pattern.episodes) == 4


def test_fights_on_both_sides_with_both_apologising_are_mutual_conflict_not_cycles() -> None:
    chat = Chat().daily("2025-01-01", "2025-02-28")
    for harm, repair in (("2025-01-10", "2025-01-11"), ("2025-01-20", "2025-01-21"), ("2025-01-30", "2025-01-31")):
        fight(chat, harm, mine=True)
        sorry(chat, repair)
        sorry(chat, repair, ME)
    result = chat.analyse()
    pattern = result.pattern
    assert pattern is not None
    assert pattern.status == "mutual_conflict"
    assert pattern.cycles == ()
    assert all(not e.one_sided for e in pattern.episodes)
    assert result.asymmetry.direction == "mutual"


def test_an_occasional_fight_back_does_not_hide_a_one_sided_cycle() -> None:
    chat = Chat().daily("2025-01-01", "2025-02-28")
    for i, (harm, repair) in enumerate(
        (("2025-01-10", "2025-01-11"), ("2025-01-20", "2025-01-21"), ("2025-01-30", "2025-01-31"))
    ):
        fight(chat, harm, mine=i == 1)
        sorry(chat, repair)
    pattern = chat.analyse().pattern
    assert pattern is not None and pattern.status == "cycle"
    assert [e.one_sided for e in pattern.episodes] == [True, False, True]
    assert [c.start.date().isoformat() for c in pattern.cycles] == ["2025-01-10", "2025-01-30"]


def test_an_apology_in_the_middle_of_one_night_keeps_one_episode() -> None:
    chat = Chat().daily("2025-01-01", "2025-01-20")
    chat.say("2025-01-10 21:00", THEM, "you're useless", "emotional_abuse")
    chat.say("2025-01-10 22:00", THEM, "sorry", "reinforcement")
    chat.say("2025-01-10 23:30", THEM, "you know what happens when you make me angry", "intimidation")
    pattern = chat.analyse().pattern
    assert pattern is not None and len(pattern.episodes) == 1
    assert pattern.episodes[0].labels == ("emotional_abuse", "intimidation")


def test_harm_the_next_day_after_making_up_is_a_new_episode() -> None:
    chat = Chat().daily("2025-01-01", "2025-01-20")
    fight(chat, "2025-01-10")
    sorry(chat, "2025-01-11")
    chat.say("2025-01-11 21:00", THEM, "you know what happens when you make me angry", "intimidation")
    pattern = chat.analyse().pattern
    assert pattern is not None
    assert [e.start.isoformat() for e in pattern.episodes] == ["2025-01-10T21:00:00", "2025-01-11T21:00:00"]


def test_harm_more_than_36_hours_apart_is_two_episodes_even_without_an_apology() -> None:
    chat = Chat().daily("2025-01-01", "2025-01-20")
    fight(chat, "2025-01-10")
    fight(chat, "2025-01-12")
    pattern = chat.analyse().pattern
    assert pattern is not None and len(pattern.episodes) == 2


def test_one_mild_remark_is_not_an_episode() -> None:
    chat = Chat().daily("2025-01-01", "2025-01-20")
    chat.say("2025-01-10 18:00", THEM, "wear the blue one", ("decision_control", 0.7))
    pattern = chat.analyse().pattern
    assert pattern is not None and pattern.status == "no_harm_episodes"
    assert SEVERITY["decision_control"] * 0.7 < MIN_EPISODE_INTENSITY


def test_affection_weeks_after_the_harm_is_not_the_reconciliation_of_that_harm() -> None:
    chat = Chat().daily("2025-01-01", "2025-03-10")
    fight(chat, "2025-01-10")
    sorry(chat, "2025-01-25")  # 15 days later
    fight(chat, "2025-02-01")
    sorry(chat, "2025-02-02")
    fight(chat, "2025-02-10")
    pattern = chat.analyse().pattern
    assert pattern is not None
    assert pattern.status == "single_sequence"  # only the February harm was followed by reinforcement in time


def test_the_users_own_apologies_are_not_the_other_persons_reinforcement() -> None:
    chat = Chat().daily("2025-01-01", "2025-02-28")
    for harm, repair in (("2025-01-10", "2025-01-11"), ("2025-01-20", "2025-01-21"), ("2025-01-30", "2025-01-31")):
        fight(chat, harm)
        sorry(chat, repair, ME)
    pattern = chat.analyse().pattern
    assert pattern is not None and pattern.status == "harm_without_reconciliation"


def test_the_period_leaves_out_time_apart() -> None:
    chat = Chat().daily("2025-01-01", "2025-01-11").daily("2025-01-22", "2025-02-10")
    fight(chat, "2025-01-10")
    sorry(chat, "2025-01-11")
    chat.say("2025-01-11 23:00", ME, "I'm leaving. Don't message me")
    chat.say("2025-01-22 07:00", ME, "I unblocked you. I miss you")
    fight(chat, "2025-01-25")
    sorry(chat, "2025-01-26")
    fight(chat, "2025-02-04")
    result = chat.analyse()
    [gap] = result.contact.gaps
    assert gap.kind == "leave_and_return"
    pattern = result.pattern
    assert pattern is not None and pattern.status == "cycle"
    apart = gap.days
    assert pattern.cycles[0].period_days == pytest.approx(15.0 - apart, abs=1e-3)
    assert pattern.cycles[1].period_days == pytest.approx(10.0, abs=1e-3)


def test_intensity_grows_with_severity_and_variety_but_slowly_with_repetition() -> None:
    chat = Chat()
    chat.say("2025-01-01 10:00", THEM, "a")
    conversation, _ = chat.build()
    message = conversation.messages[0]
    at = day("2025-01-01 10:00")

    def of(*found: tuple[str, float]) -> float:
        return intensity([TimedFinding(at, finding(message, label, score)) for label, score in found])

    assert of(("intimidation", 0.9)) == pytest.approx(0.9)
    assert of(("emotional_abuse", 0.9)) == pytest.approx(0.72)
    assert of(("emotional_abuse", 0.9), ("emotional_abuse", 0.9)) == pytest.approx(0.8 * (0.9 + 0.25 * 0.9))
    many = of(*[("emotional_abuse", 0.9)] * 10)
    assert many == pytest.approx(0.8 * (0.9 + 0.25 * 2.0))  # repeats are capped
    assert of(("emotional_abuse", 0.9), ("intimidation", 0.9)) > many


def test_me_must_be_a_participant() -> None:
    conversation, findings = Chat().daily("2025-01-01", "2025-01-02").build()
    from bondlens.errors import BondlensError

    with pytest.raises(BondlensError, match="not a participant"):
        analyse(conversation, findings, me="Sam")


def test_an_apology_on_returning_after_time_apart_closes_the_harm_before_the_leave() -> None:
    chat = Chat().daily("2025-01-01", "2025-01-10").daily("2025-01-22", "2025-02-15")
    fight(chat, "2025-01-10")
    chat.say("2025-01-10 23:00", ME, "I'm leaving. Please don't message me")
    chat.say("2025-01-22 07:00", ME, "I unblocked you")
    chat.say("2025-01-22 07:05", THEM, "I'm so sorry, I've changed, it will never happen again", "reinforcement")
    fight(chat, "2025-01-25")
    sorry(chat, "2025-01-26")
    fight(chat, "2025-02-04")
    pattern = chat.analyse().pattern
    assert pattern is not None and pattern.status == "cycle"
    assert [c.reinforcement_start.date().isoformat() for c in pattern.cycles] == ["2025-01-22", "2025-01-26"]
