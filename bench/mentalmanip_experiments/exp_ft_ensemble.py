"""Ensemble of the fine-tuned MiniLM (scores saved by exp_finetune.py) with n-gram models (issue 5).

    .venv/bin/python bench/mentalmanip_experiments/exp_ft_ensemble.py ft_minilm_con_lr5e-05_e5_s0

The n-gram models are refitted on the same 85 % of con_train the transformer saw; the ensemble is the plain
mean of probabilities (nothing tuned); thr_cv is the macro-F1-best threshold on the 15 % dev split.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from exp_stack import BASES
from mmdata import Result, best_threshold, evaluate, labels, task, texts
from runner import scores_of
from sklearn.metrics import roc_auc_score

CACHE = Path("/tmp/mm_cache")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="+")
    ap.add_argument("--bases", nargs="*", default=["word12", "stats"])
    a = ap.parse_args()
    t = task("con")
    x, y, xv, yv = texts(t.train), labels(t.train), texts(t.valid), labels(t.valid)
    dv = np.load(CACHE / f"{a.names[0]}_devidx.npy")
    assert all(np.array_equal(dv, np.load(CACHE / f"{n}_devidx.npy")) for n in a.names)
    tr = np.setdiff1d(np.arange(len(y)), dv)
    devs = [np.load(CACHE / f"{n}_dev.npy") for n in a.names]
    vals = [np.load(CACHE / f"{n}_valid.npy") for n in a.names]
    for b in a.bases:
        m = BASES[b]()
        m.fit([x[i] for i in tr], y[tr])
        devs.append(scores_of(m, [x[i] for i in dv]))
        vals.append(scores_of(m, xv))
    dev, val = np.mean(devs, 0), np.mean(vals, 0)
    label = "+".join([*a.names, *a.bases])
    Result(
        f"ens_mean[{label}]",
        "con",
        f"fine-tuned MiniLM + {', '.join(a.bases)}",
        "mean of probabilities",
        "nothing tuned; bases refitted on the transformer's 85 % split; thr_cv on its 15 % dev split",
        len(tr),
        {"cv_auc": float(roc_auc_score(y[dv], dev)), **evaluate(yv, val, best_threshold(y[dv], dev), with_ci=True)},
    ).log()


if __name__ == "__main__":
    main()
