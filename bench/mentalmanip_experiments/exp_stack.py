"""Calibrated ensembles / stacking of the base models (issue 5).

    .venv/bin/python bench/mentalmanip_experiments/exp_stack.py [--task con] [--bases word12 char25 ...]

Every base model has fixed hyper-parameters (the ones 5-fold CV on train picked in exp_linear / exp_embed).
Out-of-fold base scores on train (5-fold, seed 17) train the combiner; the base models refit on all of train
score validation. Combiners: (a) plain mean of the base probabilities (nothing tuned), (b) logistic regression
on the logits of the base probabilities (weights learnt on train OOF only). The stacked model's own CV figure
comes from a second 5-fold CV over the OOF scores.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from exp_linear import char, lr, word
from features import NBSVM, SpeakerStats, SpeakerTfidf
from joblib import Parallel, delayed  # type: ignore[import-untyped]
from mmdata import FloatArray, IntArray, Result, Task, cv_summary, evaluate, labels, task, texts
from runner import _oof, scores_of
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import StandardScaler

BASES: dict[str, Callable[[], Any]] = {
    "word12": lambda: make_pipeline(word(), lr(0.3)),
    "char25": lambda: make_pipeline(char(), lr(1.0)),
    "wordchar": lambda: make_pipeline(FeatureUnion([("w", word()), ("c", char())]), lr(0.3)),
    "nbsvm": lambda: make_pipeline(
        CountVectorizer(ngram_range=(1, 2), binary=True, token_pattern=r"(?u)\b\w+\b|[?!]"), NBSVM(C=0.03)
    ),
    "stats": lambda: make_pipeline(SpeakerStats(), StandardScaler(), lr(0.1)),
    "spk_word12": lambda: make_pipeline(SpeakerTfidf(word()), lr(0.3)),
}


def _embed_bases() -> None:
    from exp_embed import Embed

    BASES["minilm_meanmax"] = lambda: make_pipeline(Embed("meanmax"), StandardScaler(), lr(0.03))
    BASES["minilm_dialogue"] = lambda: make_pipeline(Embed("dialogue"), StandardScaler(), lr(0.03))
    BASES["minilm_speaker"] = lambda: make_pipeline(Embed("speaker"), StandardScaler(), lr(0.03))


def logit(p: FloatArray) -> FloatArray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)), dtype=np.float64)


def base_scores(name: str, x: list[str], y: IntArray, xv: list[str]) -> tuple[FloatArray, FloatArray]:
    oof = _oof(BASES[name](), x, y)
    m = BASES[name]()
    m.fit(x, y)
    return oof, scores_of(m, xv)


def stack(t: Task, names: list[str], cache: dict[str, tuple[FloatArray, FloatArray]]) -> None:
    x, y, xv, yv = texts(t.train), labels(t.train), texts(t.valid), labels(t.valid)
    todo = [n for n in names if n not in cache]
    for n, s in zip(todo, Parallel(n_jobs=2)(delayed(base_scores)(n, x, y, xv) for n in todo), strict=True):
        cache[n] = s
    oof = np.column_stack([cache[n][0] for n in names])
    val = np.column_stack([cache[n][1] for n in names])
    label = "+".join(names)
    mean_oof, mean_val = oof.mean(1), val.mean(1)
    s = cv_summary(y, mean_oof)
    Result(
        f"stack_mean[{label}]",
        t.name,
        f"base models: {label}",
        "mean of base probabilities",
        "base hyper-parameters from their own CV on train; nothing else tuned; thr_cv from OOF mean",
        len(x),
        {"cv_auc": s["cv_auc"], "cv_macro_f1": s["cv_macro_f1"], **evaluate(yv, mean_val, s["thr"], with_ci=True)},
    ).log()
    meta = LogisticRegression(C=1.0, max_iter=1000)
    meta_oof = cross_val_predict(meta, logit(oof), y, cv=5, method="predict_proba")[:, 1]
    meta.fit(logit(oof), y)
    meta_val = meta.predict_proba(logit(val))[:, 1]
    s = cv_summary(y, meta_oof)
    Result(
        f"stack_lr[{label}]",
        t.name,
        f"base models: {label}",
        "LR on base logits (stacking)",
        "combiner weights on train OOF; thr_cv from 2nd-level OOF",
        len(x),
        {
            "cv_auc": s["cv_auc"],
            "cv_macro_f1": s["cv_macro_f1"],
            "weights": [round(float(w), 3) for w in meta.coef_[0]],
            **evaluate(yv, meta_val, s["thr"], with_ci=True),
        },
    ).log()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", default="con")
    ap.add_argument("--embed", action="store_true")
    ap.add_argument(
        "--combos", nargs="*", default=["word12,char25", "word12,nbsvm,stats", "word12,char25,nbsvm,stats,spk_word12"]
    )
    a = ap.parse_args()
    if a.embed:
        _embed_bases()
    t = task(a.task)
    cache: dict[str, tuple[FloatArray, FloatArray]] = {}
    for combo in a.combos:
        stack(t, combo.split(","), cache)


if __name__ == "__main__":
    main()
