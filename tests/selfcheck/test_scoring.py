"""Scoring: the band a person would see, the reasoning naming the signs that weighed, skips left out."""

from __future__ import annotations

import random
from datetime import date

import pytest

from bondlens.errors import BondlensError
from bondlens.selfcheck import alerts, questionnaire, read_answers, score
from bondlens.selfcheck.model import SelfCheckResult
from tests.selfcheck.helpers import FEW, MANY, SOME, overstatements

ITEMS = [item.id for item in questionnaire().items]
DAY = date(2026, 3, 1)


def all_at(value: int | None, **changes: int | None) -> dict[str, int | None]:
    """Every question answered ``value``; ``sign_id__n=`` changes one (``self_blame__1=3``)."""
    answers: dict[str, int | None] = dict.fromkeys(ITEMS, value)
    for key, changed in changes.items():
        answers[key.replace("__", ".")] = changed
    return answers


def reasoning(result: SelfCheckResult) -> str:
    return "\n".join(result.reasoning)


def test_few_signs_from_a_file() -> None:
    result = score(read_answers(FEW), DAY)
    assert (result.band, result.band_name) == ("few_signs", "Few signs")
    assert (result.score, result.max_score) == (4, 51)
    why = reasoning(result)
    assert "4 of a possible 51 (7%)" in why
    assert 'no sign is strong, answered "often" or more on average' in why
    assert '"Some signs" would start at 20%' in why
    assert "Rationalising (1 of 6)" in why and "Fear of retaliation (1 of 6)" in why


def test_some_signs_from_a_file() -> None:
    result = score(read_answers(SOME), DAY)
    assert result.band == "some_signs"
    why = reasoning(result)
    assert "15 of a possible 54 (27%)" in why
    assert "this band starts at 20%" in why
    assert (
        "Signs that weighed (50% or more of their possible score): Self-blame (3 of 6), Rationalising (3 of 6)." in why
    )
    assert "Seeing helpers as enemies (0 of 6)" in why  # the ones that weighed less are named too


def test_many_signs_from_a_file() -> None:
    result = score(read_answers(MANY), DAY)
    assert (result.band, result.band_name) == ("many_signs", "Many signs")
    why = reasoning(result)
    assert "this band starts at 50%" in why and "7 signs are strong" in why
    assert "Fear of retaliation (6 of 6, strong)" in why
    assert "The cycle of harm and affection (6 of 6, strong)" in why
    assert "Seeing helpers as enemies (2 of 6)" in why
    assert alerts(result) and "leaving can be the most dangerous time" in alerts(result)[0]


def test_per_sign_scores() -> None:
    result = score(read_answers(MANY), DAY)
    by_sign = {s.sign: (s.name, s.score, s.max_score) for s in result.signs}
    assert by_sign["fear_of_retaliation"] == ("Fear of retaliation", 6, 6)
    assert by_sign["returning_after_leaving"] == ("Returning after trying to leave", 2, 3)  # one skipped
    assert by_sign["cycle"] == ("The cycle of harm and affection", 6, 6)
    assert sum(s.score for s in result.signs) == result.score
    assert sum(s.max_score for s in result.signs) == result.max_score


def test_a_skip_is_left_out_not_counted_as_never() -> None:
    answered = score(all_at(2, self_blame__1=0), DAY)
    skipped = score(all_at(2, self_blame__1=None), DAY)
    missing = score({k: v for k, v in all_at(2).items() if k != "self_blame.1"}, DAY)
    assert skipped == missing
    assert (answered.score, answered.max_score) == (34, 54)
    assert (skipped.score, skipped.max_score) == (34, 51)
    assert [a.item_id for a in skipped.answers] == ITEMS[1:]
    assert '1 question answered "prefer not to say" or left out is not counted (not scored as "never")' in reasoning(
        skipped
    )
    self_blame = next(s for s in skipped.signs if s.sign == "self_blame")
    assert (self_blame.score, self_blame.max_score) == (2, 3)


def test_a_sign_with_every_question_skipped_is_named_and_left_out() -> None:
    result = score(all_at(1, loss_of_self__1=None, loss_of_self__2=None), DAY)
    assert "loss_of_self" not in {s.sign for s in result.signs}  # no 0-of-0 score to divide by
    assert "No answers about: Loss of self." in reasoning(result)


def test_one_strong_sign_is_enough_for_some_signs_and_brings_the_safety_note() -> None:
    result = score(all_at(0, fear_of_retaliation__1=3, fear_of_retaliation__2=2), DAY)
    assert result.score == 5 and result.band == "some_signs"
    assert "1 sign is strong" in reasoning(result) and "this band starts at 1 sign" in reasoning(result)
    assert len(alerts(result)) == 1
    assert alerts(score(all_at(0, self_blame__1=3, self_blame__2=3), DAY)) == ()


def test_four_strong_signs_make_many_signs_below_half_the_total() -> None:
    strong = {
        f"{sign}__{n}": 2 for sign in ("self_blame", "rationalising", "appeasing", "loss_of_self") for n in (1, 2)
    }
    result = score(all_at(0, **strong), DAY)
    assert result.score == 16 and result.band == "many_signs"  # 29% of the total, but four strong signs
    assert "4 signs are strong" in reasoning(result)


def test_thresholds_are_inclusive() -> None:
    # 15 answered (45 possible), 9 points = exactly 20%, no strong sign: "Some signs"
    answers: dict[str, int | None] = dict.fromkeys(ITEMS[:15], 0)
    for item in ITEMS[:15:2][:9]:
        answers[item] = 1
    result = score(answers, DAY)
    assert (result.score, result.max_score) == (8, 45)
    assert result.band == "few_signs"
    answers[ITEMS[1]] = 1
    result = score(answers, DAY)
    assert (result.score, result.max_score) == (9, 45)
    assert result.band == "some_signs" and "the total is 20% of the possible score" in reasoning(result)


def test_extremes() -> None:
    assert score(all_at(0), DAY).band == "few_signs"
    top = score(all_at(3), DAY)
    assert (top.band, top.score, top.max_score) == ("many_signs", 54, 54)


def test_too_few_answers_give_no_band() -> None:
    answers: dict[str, int | None] = dict.fromkeys(ITEMS[:5], 3)
    result = score(answers, DAY)
    assert (result.band, result.band_name) == ("unclear", "Not enough answers")
    assert "at least 6 answers are needed" in reasoning(result)
    assert score({}, DAY).band == "unclear"


def test_the_reasoning_always_says_it_is_a_heuristic() -> None:
    for answers in (all_at(0), all_at(3), {}):
        assert "not a validated clinical instrument" in score(answers, DAY).reasoning[-1]


def test_the_words_stay_an_indication_whatever_the_answers() -> None:
    rng = random.Random(7)
    for _ in range(200):
        answers = {item: rng.choice([None, 0, 1, 2, 3]) for item in ITEMS}
        result = score(answers, DAY)
        text = " ".join([result.band_name, result.summary, *result.reasoning, *alerts(result)])
        assert overstatements(text) == [], text
        assert "indication" in text


def test_result_fields() -> None:
    result = score(read_answers(SOME), DAY)
    assert result.version == "1" and result.taken_on == "2026-03-01"
    first = result.answers[0]
    assert (first.item_id, first.sign, first.answer, first.answer_text) == ("self_blame.1", "self_blame", 2, "Often")
    assert first.question.startswith("In the last few months")


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"hope.1": 1}, "unknown question id 'hope.1'"),
        ({"self_blame.1": 4}, "4 is not an answer from 0 to 3"),
        ({"self_blame.1": -1}, "-1 is not an answer"),
        ({"self_blame.1": True}, "True is not an answer"),
    ],
)
def test_the_api_refuses_what_is_not_an_answer(answers: dict[str, int | None], message: str) -> None:
    with pytest.raises(BondlensError, match=message):
        score(answers)
