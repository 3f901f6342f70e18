"""Sweep of technique-head variants (class weighting, n-grams, C, top-1-only vs top-1 + threshold), con only.

    .venv/bin/python bench/mentalmanip_experiments/exp_multilabel_sweep.py

Threshold chosen by 5-fold CV micro-F1 on train (1.1 = top-1 only); validation is only scored. Printed, not logged.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

from exp_linear import word
from exp_multilabel import THRESHOLDS, decide, oof
from mmdata import TECHNIQUES, label_matrix, multilabel_scores, task, texts
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline


def main() -> None:
    print(
        "| +othertrain | class_weight | n-grams | C | CV micro-F1 | thr | val micro-F1 | val macro-F1 | exact "
        "| top-1 only val |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for extra in (False, True):
        t = task("con", extra=extra)
        tr = [d for d in t.train if d.techniques]
        va = [d for d in t.valid if d.techniques]
        x, y = texts(tr), label_matrix(tr, TECHNIQUES, "techniques")
        yv = label_matrix(va, TECHNIQUES, "techniques")
        for bal in (None, "balanced"):
            for ng in ((1, 1), (1, 2)):
                for c in (1.0, 3.0, 10.0, 30.0):
                    clf = OneVsRestClassifier(LogisticRegression(C=c, max_iter=3000, class_weight=bal))
                    model = make_pipeline(word(ng), clf)
                    o = oof(model, x, y)
                    cvf, thr = max(
                        (multilabel_scores(y, decide(o, float(th)))["micro_f1"], float(th)) for th in (1.1, *THRESHOLDS)
                    )
                    model.fit(x, y)
                    sv = model.predict_proba(texts(va))
                    m = multilabel_scores(yv, decide(sv, thr))
                    top1 = multilabel_scores(yv, decide(sv, 1.1))["micro_f1"]
                    print(
                        f"| {extra} | {bal} | {ng} | {c} | {cvf:.3f} | {thr} | {m['micro_f1']:.3f} | "
                        f"{m['macro_f1']:.3f} | {m['exact']:.3f} | {top1:.3f} |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
