"""Multi-label heads for the 11 techniques and 5 vulnerabilities, evaluated like the paper (issue 5).

    .venv/bin/python bench/mentalmanip_experiments/exp_multilabel.py [--task con maj] [--extra]

Training: the training dialogues that carry at least one label of the kind. Evaluation: micro-F1, macro-F1 and
exact match over the validation dialogues that carry at least one label (as in the MentalManip paper).
Decision rule: the top-scoring label is always predicted, plus every other label whose score reaches a
threshold; the threshold (one global value) and C are chosen by 5-fold CV micro-F1 on train. One-vs-rest
logistic regression (class_weight balanced).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from exp_linear import char, word
from joblib import Parallel, delayed  # type: ignore[import-untyped]
from mmdata import (
    TECHNIQUES,
    VULNERABILITIES,
    FloatArray,
    IntArray,
    Result,
    Timer,
    label_matrix,
    multilabel_scores,
    task,
    texts,
)
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import StandardScaler

THRESHOLDS = tuple(np.round(np.arange(0.2, 0.95, 0.05), 2))


def decide(scores: FloatArray, thr: float) -> IntArray:
    pred = (scores >= thr).astype(np.int64)
    pred[np.arange(len(scores)), scores.argmax(1)] = 1
    return pred


def ovr(make_x: Callable[[], Any], c: float) -> Any:
    return make_pipeline(make_x(), OneVsRestClassifier(LogisticRegression(C=c, max_iter=3000, class_weight="balanced")))


def oof(model: Any, x: list[str], y: IntArray) -> FloatArray:
    out = np.zeros(y.shape)
    for tr, te in KFold(5, shuffle=True, random_state=17).split(x):
        m = clone(model)
        m.fit([x[i] for i in tr], y[tr])
        out[te] = m.predict_proba([x[i] for i in te])
    return out


def experiment(
    name: str, tname: str, kind: str, names: Sequence[str], make_x: Callable[[], Any], feats: str, extra: bool
) -> None:
    t = task(tname, extra=extra)
    tr = [d for d in t.train if getattr(d, kind)]
    va = [d for d in t.valid if getattr(d, kind)]
    x, y = texts(tr), label_matrix(tr, names, kind)
    keep = y.sum(0) > 0
    cs = (0.3, 1.0, 3.0, 10.0)
    oofs = Parallel(n_jobs=2)(delayed(oof)(ovr(make_x, c), x, y[:, keep]) for c in cs)
    best = (-1.0, 0.0, 0.0)
    for c, o in zip(cs, oofs, strict=True):
        full = np.zeros(y.shape)
        full[:, keep] = o
        for thr in THRESHOLDS:
            f = multilabel_scores(y, decide(full, float(thr)))["micro_f1"]
            if f > best[0]:
                best = (f, c, float(thr))
    cvf, c, thr = best
    model = ovr(make_x, c)
    with Timer() as tt:
        model.fit(x, y[:, keep])
    sv = np.zeros((len(va), len(names)))
    sv[:, keep] = model.predict_proba(texts(va))
    yv = label_matrix(va, names, kind)
    m = multilabel_scores(yv, decide(sv, thr))
    always_top = multilabel_scores(yv, np.tile((y.sum(0) == y.sum(0).max()).astype(np.int64), (len(yv), 1)))
    Result(
        f"{kind}_{name}{'+othertrain' if extra else ''}",
        tname,
        feats,
        "one-vs-rest LR balanced; top-1 + labels >= thr",
        "C and global thr by 5-fold CV micro-F1 on train (labelled dialogues)",
        len(tr),
        {
            "params": {"C": c, "thr": thr},
            "cv_micro_f1": cvf,
            **{f"ml_{k}": v for k, v in m.items()},
            "majority_label_micro_f1": always_top["micro_f1"],
            "train_s": tt.seconds,
        },
    ).log()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", nargs="*", default=["con"])
    ap.add_argument("--extra", action="store_true")
    ap.add_argument("--embed", action="store_true", help="also MiniLM features (needs /tmp/mm_cache/minilm.npz)")
    a = ap.parse_args()
    feats: dict[str, tuple[Callable[[], Any], str]] = {
        "word12": (word, "TF-IDF words 1-2"),
        "wordchar": (lambda: FeatureUnion([("w", word()), ("c", char())]), "TF-IDF words 1-2 + char_wb 2-5"),
    }
    if a.embed:
        from exp_embed import Embed

        feats["minilm"] = (lambda: make_pipeline(Embed("dialogue"), StandardScaler()), "MiniLM dialogue embedding")
        feats["minilm+word12"] = (
            lambda: FeatureUnion(
                [("w", word()), ("e", make_pipeline(Embed("dialogue"), StandardScaler()))],
                transformer_weights={"w": 5.0, "e": 1.0},
            ),
            "MiniLM dialogue embedding + 5 x TF-IDF words 1-2",
        )
    for tname in a.task:
        for kind, names in (("techniques", TECHNIQUES), ("vulnerabilities", VULNERABILITIES)):
            for fname, (make_x, desc) in feats.items():
                experiment(fname, tname, kind, names, make_x, desc, a.extra)


if __name__ == "__main__":
    main()
