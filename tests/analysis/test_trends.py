"""The Mann-Kendall trend test: direction, significance, confidence, and when it declines to answer."""

from __future__ import annotations

import pytest

from bondlens.analysis.trends import ALPHA, MIN_POINTS, mann_kendall, trend


def test_a_steady_rise_is_escalation_with_a_confidence_figure() -> None:
    result = trend("intensity", [1.0, 1.2, 1.9, 2.4, 2.5, 3.1, 3.8], rising_is_escalation=True, what="harm")
    assert result.direction == "escalating"
    assert result.statistic == pytest.approx(1.0)
    assert result.p_value is not None and result.p_value < ALPHA
    assert result.confidence == pytest.approx(1 - result.p_value)
    assert "Mann-Kendall" in result.explanation and "p = " in result.explanation


def test_shrinking_gaps_are_escalation_of_frequency() -> None:
    result = trend("frequency", [20, 14, 15, 9, 6, 4], rising_is_escalation=False, what="days between")
    assert result.direction == "escalating"
    assert result.statistic is not None and result.statistic < 0


def test_growing_gaps_are_a_lessening() -> None:
    result = trend("frequency", [2, 3, 5, 8, 13, 21], rising_is_escalation=False, what="days between")
    assert result.direction == "de_escalating"


def test_noise_is_no_clear_trend() -> None:
    result = trend("intensity", [2.0, 1.0, 2.5, 1.2, 2.1, 1.4, 2.2], rising_is_escalation=True, what="harm")
    assert result.direction == "no_clear_trend"
    assert "could be chance" in result.explanation


def test_too_few_or_equal_values_are_not_tested() -> None:
    assert trend("intensity", [1.0, 2.0, 3.0], rising_is_escalation=True, what="x").direction == "too_few_data"
    assert trend("intensity", [1.0] * 6, rising_is_escalation=True, what="x").direction == "too_few_data"
    assert mann_kendall([1.0] * (MIN_POINTS - 1)) is None


def test_the_statistic_is_kendalls_tau_against_order() -> None:
    values = [3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0]
    tested = mann_kendall(values)
    assert tested is not None
    n = len(values)
    s = sum((values[j] > values[i]) - (values[j] < values[i]) for i in range(n) for j in range(i + 1, n))
    assert tested[0] == pytest.approx(s / (n * (n - 1) / 2))  # no ties: tau = S / (n choose 2)
    assert 0 < tested[1] < 1
