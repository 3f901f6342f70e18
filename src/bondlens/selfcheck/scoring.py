"""Scoring the self-check: an indication band with its reasoning, never a diagnosis.

The method is bondlens's own heuristic (described, with its thresholds, in ``data/items.yaml``), not a validated
clinical instrument; the reasoning says so. Skipped questions are left out, never counted as "never"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from math import ceil, floor

from bondlens.errors import BondlensError
from bondlens.selfcheck.items import Band, Questionnaire, questionnaire
from bondlens.selfcheck.model import RESULT_VERSION, SelfCheckAnswer, SelfCheckResult, SignScore

Answers = Mapping[str, int | None]  # item id -> 0..3, or None for "prefer not to say"


@dataclass(frozen=True, slots=True)
class _Tally:
    group: str
    name: str
    score: int
    answered: int
    max_score: int


def _pct(share: float) -> str:
    # rounded down, so a total just under a threshold never shows as reaching it
    return f"{floor(share * 100 + 1e-9)}%"


def _signs_word(count: int) -> str:
    return "1 sign" if count == 1 else f"{count} signs"


def _names(tallies: list[_Tally], strong: list[_Tally]) -> str:
    return ", ".join(f"{t.name} ({t.score} of {t.max_score}{', strong' if t in strong else ''})" for t in tallies)


def check_answers(answers: Answers, q: Questionnaire) -> None:
    """Raise a :class:`BondlensError` for an unknown item id or an answer off the scale."""
    for item_id, value in answers.items():
        if q.item(item_id) is None:
            raise BondlensError(f"unknown question id {item_id!r}")
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= q.max_answer
        ):
            raise BondlensError(f"question {item_id!r}: {value!r} is not an answer from 0 to {q.max_answer}")


def is_strong(sign: SignScore, q: Questionnaire | None = None) -> bool:
    """Whether a sign's answers average "often" or more (the threshold of the data file)."""
    q = q or questionnaire()
    answered = sign.max_score // q.max_answer
    return answered > 0 and sign.score >= q.strong_at * answered


def alerts(result: SelfCheckResult, q: Questionnaire | None = None) -> tuple[str, ...]:
    """The safety notes for the strong signs of ``result`` (e.g. fear of what the other may do)."""
    q = q or questionnaire()
    strong = {s.sign for s in result.signs if is_strong(s, q)}
    return tuple(a.text for a in q.alerts if a.sign in strong)


def strong_word(q: Questionnaire) -> str:
    """The scale word a strong sign's answers average, e.g. 'often'."""
    return q.answer_text(min(q.max_answer, ceil(q.strong_at))).lower()


def _band_reason(band: Band, q: Questionnaire, share: float, strong: list[_Tally]) -> str:
    scored = list(q.bands[1:])
    higher = scored[scored.index(band) + 1 :]
    often = strong_word(q)
    count = _signs_word(len(strong)) if strong else "no sign"
    verb = "is" if len(strong) <= 1 else "are"
    strong_text = f'{count} {verb} strong, answered "{often}" or more on average'
    if band is scored[0]:
        text = f'The indication is "{band.name}": the total is {_pct(share)} of the possible score, and {strong_text}.'
    else:
        assert band.min_share is not None and band.min_strong_signs is not None
        reached = []
        if share >= band.min_share:
            reached.append(
                f"the total is {_pct(share)} of the possible score (this band starts at {_pct(band.min_share)})"
            )
        if len(strong) >= band.min_strong_signs:
            reached.append(f"{strong_text} (this band starts at {_signs_word(band.min_strong_signs)})")
        text = f'The indication is "{band.name}" because ' + ", and ".join(reached) + "."
    if higher:
        up = higher[0]
        assert up.min_share is not None and up.min_strong_signs is not None
        text += f' "{up.name}" would start at {_pct(up.min_share)}, or at {_signs_word(up.min_strong_signs)} strong.'
    return text


def score(answers: Answers, taken_on: date | None = None, q: Questionnaire | None = None) -> SelfCheckResult:
    """Score ``answers`` (item id -> 0..3, or None when skipped; missing ids count as skipped)."""
    q = q or questionnaire()
    check_answers(answers, q)
    top = q.max_answer
    chosen: list[SelfCheckAnswer] = []
    sums: dict[str, list[int]] = {g: [] for g in q.groups}
    for item in q.items:
        value = answers.get(item.id)
        if value is None:
            continue
        chosen.append(SelfCheckAnswer(item.id, item.sign, item.question, value, q.answer_text(value)))
        sums[item.sign].append(value)
    tallies = [
        _Tally(g, q.groups[g].name, sum(values), len(values), top * len(values)) for g, values in sums.items() if values
    ]
    total = sum(t.score for t in tallies)
    possible = sum(t.max_score for t in tallies)
    asked, answered = len(q.items), len(chosen)
    skipped = asked - answered
    reasoning: list[str] = []
    if answered < q.min_answered:
        band = q.bands[0]
        reasoning.append(
            f"You answered {answered} of {asked} questions; at least {q.min_answered} answers are needed for an "
            "indication, so none is given."
        )
    else:
        share = total / possible
        strong = [t for t in tallies if t.score >= q.strong_at * t.answered]
        band = q.bands[1]
        for candidate in q.bands[2:]:
            assert candidate.min_share is not None and candidate.min_strong_signs is not None
            if share >= candidate.min_share or len(strong) >= candidate.min_strong_signs:
                band = candidate
        reasoning.append(
            f"You answered {answered} of {asked} questions; your answers add up to {total} of a possible "
            f"{possible} ({_pct(share)})."
        )
        reasoning.append(_band_reason(band, q, share, strong))
        ranked = sorted(tallies, key=lambda t: (-t.score / t.max_score, -t.score))
        weighed = [t for t in ranked if t.score >= q.weighs_at * t.max_score]
        light = [t for t in ranked if t.score < q.weighs_at * t.max_score]
        half = _pct(q.weighs_at)
        if weighed:
            reasoning.append(f"Signs that weighed ({half} or more of their possible score): {_names(weighed, strong)}.")
        else:
            reasoning.append(f"No sign reached {half} of its possible score.")
        if light:
            reasoning.append(f"Signs that weighed less (under {half}): {_names(light, strong)}.")
    if skipped:
        unasked = [q.groups[g].name for g, values in sums.items() if not values]
        text = (
            f'{skipped} question{"" if skipped == 1 else "s"} answered "{q.skip_text.lower()}" or left out '
            f'{"is" if skipped == 1 else "are"} not counted (not scored as "{q.answer_text(0).lower()}").'
        )
        if unasked and answered:
            text += f" No answers about: {', '.join(unasked)}."
        reasoning.append(text)
    reasoning.append(q.not_validated)
    return SelfCheckResult(
        version=RESULT_VERSION,
        taken_on=(taken_on or date.today()).isoformat(),
        band=band.id,
        band_name=band.name,
        summary=band.summary,
        reasoning=tuple(reasoning),
        score=total,
        max_score=possible,
        signs=tuple(SignScore(t.group, t.name, t.score, t.max_score) for t in tallies),
        answers=tuple(chosen),
    )


def band(result: SelfCheckResult, q: Questionnaire | None = None) -> Band:
    """The band of ``result`` in the questionnaire (for its may / does-not mean and help texts)."""
    q = q or questionnaire()
    return next((b for b in q.bands if b.id == result.band), q.bands[0])
