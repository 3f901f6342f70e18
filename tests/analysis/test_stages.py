"""The seven-stage trajectory: the weights, the estimate per month, "unclear", transitions."""

from __future__ import annotations

from itertools import pairwise

from bondlens.analysis.model import UNCLEAR
from bondlens.analysis.stages import MIN_SUPPORT, stage_model
from bondlens.taxonomy import SIGNS, STAGES, TACTICS
from tests.analysis.helpers import THEM, Chat, exact_analysis, truth

SPECIAL = {
    "them:affection_before_harm",
    "them:affection",
    "them:repair",
    "them:gaslighting",
    "contact:leave_and_return",
}


def test_every_weight_names_a_stage_and_a_known_feature() -> None:
    model = stage_model()
    assert set(model.weights) == set(STAGES)
    known = SPECIAL | {f"them:{t}" for t in TACTICS if t != "reinforcement"} | {f"me:{s}" for s in SIGNS}
    for stage, row in model.weights.items():
        assert row, stage
        assert set(row) <= known, (stage, set(row) - known)
        assert all(w > 0 for w in row.values())


def test_the_cycle_fixture_months_get_their_written_stages() -> None:
    """Exact findings: every month's stage is one the fixture's author wrote down for it."""
    accepted = truth("cycle")["stages"]
    periods = {p.start.strftime("%Y-%m"): p for p in exact_analysis("cycle").stages.periods}
    assert set(periods) == set(accepted)
    for month, stages in accepted.items():
        period = periods[month]
        assert period.stage in stages, (month, period.stage, period.scores[:3])
        assert 0 < period.confidence <= 1
        assert period.evidence and period.explanation


def test_transitions_follow_the_months() -> None:
    stages = exact_analysis("cycle").stages
    known = [p.stage for p in stages.periods if p.stage != UNCLEAR]
    assert [t.to_stage for t in stages.transitions] == [b for a, b in pairwise(known) if a != b]
    assert stages.transitions[0].from_stage == "love_bombing"


def test_no_stages_without_one_sided_harm() -> None:
    for name in ("healthy", "mutual"):
        stages = exact_analysis(name).stages
        assert {p.stage for p in stages.periods} == {UNCLEAR}, name
        assert stages.transitions == ()
        assert "Not estimated" in stages.method


def test_too_few_findings_in_a_month_is_unclear() -> None:
    chat = Chat().daily("2025-01-01", "2025-02-28")
    for when in ("2025-01-05", "2025-01-15", "2025-01-25"):
        chat.say(f"{when} 20:00", THEM, "you're pathetic", "emotional_abuse")
        chat.say(f"{when} 20:01", THEM, "you're useless", "emotional_abuse")
    chat.say("2025-02-10 20:00", THEM, "you're useless", "emotional_abuse")
    january, february = chat.analyse().stages.periods
    assert january.stage == "criticism" and january.findings == 6
    assert february.stage == UNCLEAR and february.findings < MIN_SUPPORT
    assert "too little" in february.explanation
