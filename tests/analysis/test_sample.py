"""The bundled sample chat against its written ground truth (tests/data/ground_truth/whatsapp_cycle.md).

End to end through the rules detector, which misses some harm (for instance most of the low-level control in
May) and so some cycles. What is asserted is what holds robustly, with these tolerances:

* at least 3 cycles, each starting within 1 day of a harm date in the ground truth (C1-C12): no invented cycle;
* the escalation's direction as the ground truth writes it ("calm phases shrink"): the days of contact between
  harm episodes fall (Kendall's tau < 0), significance not required; and the harm is never reported as
  significantly easing (the sample's harm grows in kind, from criticism to broken things, more than in the
  number of flagged messages per episode, so intensity per episode is only required not to fall clearly);
* the April silence (12/04 to 25/04) found as an attempt to leave and a return, within 1 day; the quiet
  spells in February and March not;
* the harm runs mostly from Jordan to Alex;
* from March on, no month is estimated as love bombing or trust and dependency, and the stage of the last
  estimated month is criticism or later.
"""

from __future__ import annotations

from datetime import date, timedelta

from bondlens.analysis.model import UNCLEAR
from bondlens.taxonomy import STAGES
from tests.analysis.helpers import sample_analysis

HARM_DATES = [
    date(2026, m, d)
    for m, d in ((2, 28), (3, 14), (3, 24), (4, 1), (4, 6), (4, 10), (4, 30), (5, 3), (5, 5), (5, 22), (5, 26), (6, 3))
]
DAY = timedelta(days=1)


def test_cycles_are_found_on_written_harm_dates() -> None:
    pattern = sample_analysis().pattern
    assert pattern is not None and pattern.status == "cycle"
    assert len(pattern.cycles) >= 3
    for cycle in pattern.cycles:
        assert any(abs(cycle.start.date() - d) <= DAY for d in HARM_DATES), cycle.start
        assert cycle.reinforcement and cycle.reinforcement_start > cycle.harm.start
        assert all(e.sender == "Jordan" for e in (*cycle.harm.evidence, *cycle.reinforcement))
    assert pattern.median_period_days is not None and 2 <= pattern.median_period_days <= 14


def test_the_harm_escalates_in_direction() -> None:
    pattern = sample_analysis().pattern
    assert pattern is not None
    assert (pattern.frequency_trend.statistic or 0) < 0, pattern.frequency_trend.explanation
    intensity = pattern.intensity_trend
    assert not ((intensity.statistic or 0) < 0 and (intensity.p_value or 1) < 0.05), intensity.explanation


def test_the_april_silence_is_an_attempt_to_leave_and_a_return() -> None:
    gaps = sample_analysis().contact.gaps
    leaves = [g for g in gaps if g.kind == "leave_and_return"]
    assert len(leaves) == 1
    [gap] = leaves
    assert abs(gap.start.date() - date(2026, 4, 12)) <= DAY and abs(gap.end.date() - date(2026, 4, 25)) <= DAY
    assert gap.resumed_by == "Alex" and gap.days > 12
    assert any("unblocked" in e.quote.lower() for e in gap.return_signals)
    assert sample_analysis().contact.attempts_to_leave == 1


def test_the_harm_runs_mostly_one_way() -> None:
    balance = sample_analysis().asymmetry
    assert balance.direction == "mostly_them" and balance.them == "Jordan"


def test_stages_move_on_from_the_start() -> None:
    periods = sample_analysis().stages.periods
    assert [p.start for p in periods] == [date(2026, m, 1) for m in range(1, 7)]
    later = [p for p in periods if p.start >= date(2026, 3, 1)]
    assert all(p.stage not in ("love_bombing", "trust_dependency") for p in later)
    known = [p for p in periods if p.stage != UNCLEAR]
    assert len(known) >= 3
    assert STAGES.index(known[-1].stage) >= STAGES.index("criticism")
