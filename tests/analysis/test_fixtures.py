"""The synthetic conversations with known ground truth (tests/data/analysis/).

Two ways in. *Exact*: the findings the author intended, so the analysis is tested on its own and must
recover the truth exactly (cycle start on the very day). *End to end*: import -> the real rules detector ->
analyse, as `bondlens analyse` runs; the rules miss and add things, so the tolerances are:

* a cycle's start counts as found when a detected cycle starts within ``DAY_TOLERANCE`` (1 day) of it;
* at least ``RECALL`` (5 of the 7) written cycles found, and every detected cycle within a day of a written
  harm date (no invented cycles);
* the escalation's *direction* (sign of Kendall's tau), not its significance;
* never a cycle in the healthy and mutual-conflict chats, and none in the one-sided chat without
  reconciliation (these hold exactly).
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from bondlens.analysis import Analysis
from tests.analysis.helpers import FIXTURES, NAMES, detected_analysis, exact_analysis, truth

DAY_TOLERANCE = timedelta(days=1)
RECALL = 5 / 7


def near(found: date, wanted: date) -> bool:
    return abs(found - wanted) <= DAY_TOLERANCE


def written_cycles(name: str) -> list[tuple[date, date]]:
    return [(date.fromisoformat(c["harm"]), date.fromisoformat(c["reinforcement"])) for c in truth(name)["cycles"]]


def test_the_fixtures_are_what_the_script_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_fixtures", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for written in sorted(tmp_path.iterdir()):
        assert written.read_bytes() == (FIXTURES / written.name).read_bytes(), f"run make_fixtures.py ({written.name})"


# -- exact findings --------------------------------------------------------------------------------
def test_exact_cycle_fixture_recovers_every_cycle_on_its_day() -> None:
    result = exact_analysis("cycle")
    pattern = result.pattern
    assert pattern is not None and pattern.status == "cycle"
    found = [(c.start.date(), c.reinforcement_start.date()) for c in pattern.cycles]
    assert found == written_cycles("cycle")
    assert [c.next_harm_start is None for c in pattern.cycles] == [False] * 6 + [True]
    assert pattern.intensity_trend.direction == "escalating"
    assert pattern.frequency_trend.direction == "escalating"
    assert result.asymmetry.direction == "mostly_them"


@pytest.mark.parametrize("name", NAMES)
def test_exact_gaps_match_the_truth(name: str) -> None:
    gaps = exact_analysis(name).contact.gaps
    wanted = truth(name)["gaps"]
    assert [(g.start.date().isoformat(), g.end.date().isoformat(), g.kind) for g in gaps] == [
        (w["start"], w["end"], w["kind"]) for w in wanted
    ]


def test_exact_healthy_and_mutual_have_no_cycle() -> None:
    assert exact_analysis("healthy").cycles == ()
    mutual = exact_analysis("mutual")
    assert mutual.cycles == ()
    assert mutual.pattern is not None and mutual.pattern.status == "mutual_conflict"
    assert mutual.asymmetry.direction == "mutual"


def test_exact_one_sided_harm_without_reconciliation() -> None:
    result = exact_analysis("one_sided")
    pattern = result.pattern
    assert pattern is not None and pattern.status == "harm_without_reconciliation"
    assert result.cycles == ()
    wanted = [date.fromisoformat(d) for d in truth("one_sided")["harm_episodes"]]
    starts = [e.start.date() for e in pattern.episodes]
    assert all(any(near(s, w) for w in wanted) for s in starts)
    assert sum(any(near(s, w) for s in starts) for w in wanted) >= len(wanted) - 1  # one blame-only evening is mild
    assert result.asymmetry.direction == "mostly_them"


# -- end to end through the rules detector ---------------------------------------------------------
def test_detected_cycles_match_the_written_ones_within_a_day() -> None:
    pattern = detected_analysis("cycle").pattern
    assert pattern is not None and pattern.status == "cycle"
    wanted = [harm for harm, _ in written_cycles("cycle")]
    starts = [c.start.date() for c in pattern.cycles]
    assert all(any(near(s, w) for w in wanted) for s in starts), starts
    recovered = sum(any(near(s, w) for s in starts) for w in wanted)
    assert recovered >= RECALL * len(wanted), (recovered, starts)
    assert (pattern.intensity_trend.statistic or 0) > 0
    assert (pattern.frequency_trend.statistic or 0) < 0


def test_detected_leave_and_return_in_the_cycle_fixture() -> None:
    [gap] = [g for g in detected_analysis("cycle").contact.gaps if g.kind == "leave_and_return"]
    assert near(gap.start.date(), date(2025, 5, 4)) and near(gap.end.date(), date(2025, 5, 14))


@pytest.mark.parametrize("name", ["healthy", "mutual", "one_sided"])
def test_detected_no_cycle_where_there_is_none(name: str) -> None:
    result: Analysis = detected_analysis(name)
    assert result.cycles == ()
    assert all(p.status != "cycle" for p in result.patterns)
    assert all(g.kind != "leave_and_return" for g in result.contact.gaps)


def test_detected_healthy_and_mutual_are_not_one_sided() -> None:
    assert detected_analysis("healthy").asymmetry.direction in ("little_harm", "mutual")
    assert detected_analysis("mutual").asymmetry.direction in ("little_harm", "mutual")


def test_detected_one_sided_harm() -> None:
    result = detected_analysis("one_sided")
    assert result.pattern is not None and result.pattern.status == "harm_without_reconciliation"
    assert result.asymmetry.direction == "mostly_them"
