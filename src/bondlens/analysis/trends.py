"""Trend tests: is the harm getting stronger, and are the episodes coming closer together?

Method: the Mann–Kendall trend test, computed as Kendall's tau between the order of the values and the
values themselves (``scipy.stats.kendalltau``; exact two-sided p-value for small series without ties, the
normal approximation with tie correction otherwise). It asks only whether later values tend to be larger
(or smaller) than earlier ones, so it needs no assumption about the shape of the trend or the distribution
of the values and is not thrown by one extreme episode. A trend is reported when ``p < ALPHA``; the
confidence figure is ``1 - p``. With fewer than ``MIN_POINTS`` values no test is run ("too_few_data").
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.stats import kendalltau

from bondlens.analysis.model import Trend, TrendDirection

ALPHA = 0.05  # two-sided significance level for calling a trend
MIN_POINTS = 4  # with 3 values even a perfect ordering has p = 0.33: no test below 4
METHOD = "Mann-Kendall trend test (Kendall's tau of value against order, scipy.stats.kendalltau, two-sided)"


def mann_kendall(values: Sequence[float]) -> tuple[float, float] | None:
    """(tau, p) for the series, or None when there are too few values or they are all equal."""
    if len(values) < MIN_POINTS or len(set(values)) < 2:
        return None
    result = kendalltau(np.arange(len(values)), np.asarray(values, dtype=float))
    tau, p = float(result.statistic), float(result.pvalue)
    if math.isnan(tau) or math.isnan(p):
        return None
    return tau, p


def trend(quantity: str, values: Sequence[float], *, rising_is_escalation: bool, what: str) -> Trend:
    """Test ``values`` (in time order) for a monotonic trend.

    ``what`` names the series in the explanation ("harm intensity per episode", "days between episodes");
    ``rising_is_escalation`` says whether larger later values mean escalation (intensity) or the opposite
    (the time between episodes getting shorter means they come more often).
    """
    rounded = tuple(round(v, 3) for v in values)
    tested = mann_kendall(values)
    if tested is None:
        reason = (
            f"only {len(values)} value(s); at least {MIN_POINTS} are needed"
            if len(values) < MIN_POINTS
            else "all values are equal"
        )
        return Trend(
            quantity,
            METHOD,
            len(values),
            None,
            None,
            None,
            "too_few_data",
            rounded,
            f"No trend test for {what}: {reason}.",
        )
    tau, p = tested
    direction: TrendDirection = "no_clear_trend"
    if p < ALPHA:
        rising = tau > 0
        direction = "escalating" if rising == rising_is_escalation else "de_escalating"
    figures = f"Mann-Kendall: Kendall's tau = {tau:+.2f}, p = {p:.3f}, confidence {100 * (1 - p):.0f}%"
    movement = "rose" if tau > 0 else "fell"
    if direction == "no_clear_trend":
        text = (
            f"No clear trend in {what} over {len(values)} values ({figures}); "
            f"it {movement} a little, but that could be chance."
        )
    else:
        meaning = "escalation" if direction == "escalating" else "a lessening"
        text = f"{what.capitalize()} {movement} over {len(values)} values ({figures}): {meaning}."
    return Trend(quantity, METHOD, len(values), round(tau, 4), round(p, 6), round(1 - p, 6), direction, rounded, text)
