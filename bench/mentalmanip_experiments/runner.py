"""Run one configuration: grid search by 5-fold CV on train, refit on all train, score validation, log."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from joblib import Parallel, delayed  # type: ignore[import-untyped]
from mmdata import FloatArray, IntArray, Result, Task, Timer, cv_summary, evaluate, labels, oof_scores, texts
from sklearn.base import clone


def scores_of(model: Any, x: Sequence[str]) -> FloatArray:
    if hasattr(model, "predict_proba"):
        return np.asarray(model.predict_proba(x)[:, 1], dtype=np.float64)
    return np.asarray(model.decision_function(x), dtype=np.float64)


def _oof(model: Any, x: list[str], y: IntArray) -> FloatArray:
    def fp(tr: list[int], te: list[int]) -> FloatArray:
        m = clone(model)
        m.fit([x[i] for i in tr], y[tr])
        return scores_of(m, [x[i] for i in te])

    return oof_scores(fp, y)


def grid(space: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    keys = list(space)
    return [dict(zip(keys, vals, strict=True)) for vals in itertools.product(*(space[k] for k in keys))]


def run(
    experiment: str,
    t: Task,
    make: Callable[..., Any],
    space: Mapping[str, Sequence[Any]],
    features: str,
    model_desc: str,
    with_ci: bool = False,
    select: str = "cv_auc",
) -> tuple[Any, FloatArray, dict[str, Any]]:
    """Pick params by CV (``select``: cv_auc or cv_macro_f1), refit on all train, evaluate on valid."""
    x, y = texts(t.train), labels(t.train)
    xv, yv = texts(t.valid), labels(t.valid)
    params = grid(space)
    with Timer() as tcv:
        oofs = Parallel(n_jobs=2)(delayed(_oof)(make(**p), x, y) for p in params)
    summaries = [cv_summary(y, o) for o in oofs]
    best = max(range(len(params)), key=lambda i: summaries[i][select])
    p, s = params[best], summaries[best]
    model = make(**p)
    with Timer() as tfit:
        model.fit(x, y)
    val = scores_of(model, xv)
    metrics: dict[str, Any] = {
        "params": p,
        "cv_auc": s["cv_auc"],
        "cv_macro_f1": s["cv_macro_f1"],
        **evaluate(yv, val, s["thr"], with_ci=with_ci),
        "train_s": tfit.seconds,
        "cv_s": tcv.seconds,
    }
    tuned = f"{sorted(space)} by 5-fold CV {select} on train; thr_cv from OOF train, thr_val on valid"
    Result(experiment, t.name, features, model_desc, tuned, len(x), metrics).log()
    return model, val, metrics
