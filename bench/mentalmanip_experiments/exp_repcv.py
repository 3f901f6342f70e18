"""Repeated 5-fold CV on con_train (3 shuffles) for the fast finalists: a selection signal that does not touch
validation, to check that the recommendation is not a product of validation noise (issue 5).

    .venv/bin/python bench/mentalmanip_experiments/exp_repcv.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

from collections.abc import Callable
from typing import Any

import numpy as np
from exp_linear import char, lr, word
from features import SpeakerStats
from final import Stacked
from joblib import Parallel, delayed  # type: ignore[import-untyped]
from mmdata import FloatArray, IntArray, best_threshold, labels, macro_f1, task, texts
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import StandardScaler

FINALISTS: dict[str, Callable[[], Any]] = {
    "word12_lr": lambda: make_pipeline(word(), lr(0.3)),
    "word12+stats_lr": lambda: make_pipeline(
        FeatureUnion([("w", word()), ("s", make_pipeline(SpeakerStats(), StandardScaler()))]), lr(3.0)
    ),
    "wordchar_lr": lambda: make_pipeline(FeatureUnion([("w", word()), ("c", char())]), lr(0.3)),
    "stack_lr[word12+stats]": Stacked,
}


def one(name: str, x: list[str], y: IntArray, seed: int) -> tuple[str, int, FloatArray]:
    out = np.zeros(len(y))
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
        m = FINALISTS[name]()
        m.fit([x[i] for i in tr], y[tr])
        p = m.predict_proba([x[i] for i in te])
        out[te] = p[:, 1] if p.ndim == 2 else p
    return name, seed, out


def main() -> None:
    from sklearn.metrics import roc_auc_score

    t = task("con")
    x, y = texts(t.train), labels(t.train)
    jobs = [(n, s) for n in FINALISTS for s in (101, 202, 303)]
    res = Parallel(n_jobs=2)(delayed(one)(n, x, y, s) for n, s in jobs)
    by: dict[str, list[tuple[float, float]]] = {}
    for name, _seed, oof in res:
        f = macro_f1(y, (oof >= best_threshold(y, oof)).astype(np.int64))
        by.setdefault(name, []).append((float(roc_auc_score(y, oof)), f))
    print("| model | repeated-CV AUC (mean ± sd, 3×5-fold) | repeated-CV best macro-F1 (mean ± sd) |")
    print("|---|---:|---:|")
    for name, v in by.items():
        a = np.array(v)
        print(f"| {name} | {a[:, 0].mean():.3f} ± {a[:, 0].std():.3f} | {a[:, 1].mean():.3f} ± {a[:, 1].std():.3f} |")


if __name__ == "__main__":
    main()
