"""MentalManip experiments (issue 5): loading, leakage-free training sets, metrics, bootstrap, result log.

Data is read in place from ../shared/data/mentalmanip/ (CC BY-NC 4.0; never copied into the repository).
Protocol used by every experiment script in this folder:

- ``con`` evaluation: models train on ``con_train`` (optionally plus the ``maj_train`` dialogues that are not in
  ``con_valid`` and not already in ``con_train``, with their majority labels) and are scored on ``con_valid``.
- ``maj`` evaluation: models train on ``maj_train`` (``con_train`` adds nothing: every con_train dialogue is in
  maj_train or maj_valid, and those in maj_valid are removed) and are scored on ``maj_valid``.
- Hyper-parameters are chosen by stratified 5-fold cross-validation on the training set only.
- Two thresholds are reported: ``thr_cv`` (best macro-F1 on out-of-fold training predictions; honest) and
  ``thr_val`` (best macro-F1 on the validation set itself; optimistic, what the issue asks for).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATA = ROOT.parent / "shared" / "data" / "mentalmanip"
RESULTS = HERE / "results.jsonl"

TECHNIQUES: tuple[str, ...] = (
    "Denial",
    "Evasion",
    "Feigning Innocence",
    "Rationalization",
    "Playing Victim Role",
    "Playing Servant Role",
    "Shaming or Belittlement",
    "Intimidation",
    "Brandishing Anger",
    "Accusation",
    "Persuasion or Seduction",
)
VULNERABILITIES: tuple[str, ...] = (
    "Naivete",
    "Dependency",
    "Over-responsibility",
    "Over-intellectualization",
    "Low self-esteem",
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _key(label: str) -> str:
    return re.sub(r"[^a-z]", "", label.lower().replace("ï", "i"))


_CANON = {_key(x): x for x in TECHNIQUES + VULNERABILITIES}
_CANON.update({"naivety": "Naivete", "lowselfesteem": "Low self-esteem", "victimrole": "Playing Victim Role"})


def normalise_label(label: str) -> str:
    """Canonical spelling of a technique or vulnerability ("playing victim role " -> "Playing Victim Role")."""
    key = _key(label)
    if key not in _CANON:
        raise ValueError(f"unknown MentalManip label {label!r}")
    return _CANON[key]


@dataclass(frozen=True)
class Dialogue:
    id: str
    text: str
    manipulative: bool
    techniques: tuple[str, ...]
    vulnerabilities: tuple[str, ...]

    @property
    def turns(self) -> list[tuple[str, str]]:
        """(speaker, utterance) per line; a line without "Name:" continues the previous speaker."""
        out: list[tuple[str, str]] = []
        for line in self.text.split("\n"):
            m = re.match(r"^\s*([^:]{1,40}):\s?(.*)$", line)
            if m:
                out.append((m.group(1).strip(), m.group(2)))
            elif out:
                out[-1] = (out[-1][0], out[-1][1] + " " + line)
            elif line.strip():
                out.append(("?", line))
        return out


def load(name: str) -> list[Dialogue]:
    rows: list[Dialogue] = []
    with (DATA / f"{name}.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            rows.append(
                Dialogue(
                    id=str(r["id"]),
                    text=r["text"],
                    manipulative=bool(r["manipulative"]),
                    techniques=tuple(sorted({normalise_label(t) for t in r.get("techniques") or []})),
                    vulnerabilities=tuple(sorted({normalise_label(v) for v in r.get("vulnerabilities") or []})),
                )
            )
    return rows


@dataclass(frozen=True)
class Task:
    name: str  # "con" or "maj"
    train: list[Dialogue]
    valid: list[Dialogue]


def task(name: str, extra: bool = False) -> Task:
    """Training and validation sets for ``con`` or ``maj``, with every validation dialogue kept out of training.

    ``extra``: add the other set's training dialogues (deduplicated by id and text, minus this validation set).
    """
    other = "maj" if name == "con" else "con"
    train, valid = load(f"{name}_train"), load(f"{name}_valid")
    banned = {d.id for d in valid} | {d.text for d in valid}
    seen = {d.id for d in train} | {d.text for d in train}
    if extra:
        for d in load(f"{other}_train"):
            if d.id in banned or d.text in banned or d.id in seen or d.text in seen:
                continue
            train.append(d)
            seen |= {d.id, d.text}
    assert not ({d.id for d in train} & {d.id for d in valid})
    assert not ({d.text for d in train} & {d.text for d in valid})
    return Task(name, train, valid)


def labels(ds: Sequence[Dialogue]) -> IntArray:
    return np.array([int(d.manipulative) for d in ds], dtype=np.int64)


def texts(ds: Sequence[Dialogue]) -> list[str]:
    return [d.text for d in ds]


def messages(ds: Sequence[Dialogue]) -> int:
    return sum(len(d.turns) for d in ds)


# -- metrics -----------------------------------------------------------------------------------------------
def macro_f1(y: IntArray, pred: IntArray) -> float:
    return float(f1_score(y, pred, average="macro", zero_division=0))


def best_threshold(y: IntArray, score: FloatArray) -> float:
    """Threshold maximising macro-F1 (midpoint between neighbouring distinct scores)."""
    s = np.unique(score)
    cands = np.concatenate([[s[0] - 1e-9], (s[1:] + s[:-1]) / 2, [s[-1] + 1e-9]]) if len(s) > 1 else s
    if len(cands) > 400:
        cands = np.quantile(score, np.linspace(0, 1, 401))
    best, best_t = -1.0, 0.5
    for t in cands:
        f = macro_f1(y, (score >= t).astype(np.int64))
        if f > best:
            best, best_t = f, float(t)
    return best_t


def binary_scores(y: IntArray, score: FloatArray, thr: float) -> dict[str, float]:
    pred = (score >= thr).astype(np.int64)
    tp = int(((pred == 1) & (y == 1)).sum())
    prec = tp / max(1, int(pred.sum()))
    rec = tp / max(1, int(y.sum()))
    return {
        "acc": float((pred == y).mean()),
        "macro_f1": macro_f1(y, pred),
        "precision": prec,
        "recall": rec,
        "f1": 0.0 if prec + rec == 0 else 2 * prec * rec / (prec + rec),
        "thr": thr,
    }


def bootstrap_ci(
    y: IntArray, score: FloatArray, thr: float, n: int = 2000, seed: int = 0
) -> tuple[float, float, float, float]:
    """95% percentile bootstrap CI of macro-F1 and accuracy at a fixed threshold over validation dialogues."""
    rng = np.random.default_rng(seed)
    pred = (score >= thr).astype(np.int64)
    f1s, accs = [], []
    for _ in range(n):
        idx = rng.integers(0, len(y), len(y))
        f1s.append(macro_f1(y[idx], pred[idx]))
        accs.append(float((pred[idx] == y[idx]).mean()))
    return (
        float(np.percentile(f1s, 2.5)),
        float(np.percentile(f1s, 97.5)),
        float(np.percentile(accs, 2.5)),
        float(np.percentile(accs, 97.5)),
    )


def oof_scores(
    fit_predict: Callable[[list[int], list[int]], FloatArray], y: IntArray, folds: int = 5, seed: int = 17
) -> FloatArray:
    """Out-of-fold scores: ``fit_predict(train_idx, test_idx)`` returns scores for ``test_idx``."""
    out = np.zeros(len(y), dtype=np.float64)
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for tr, te in skf.split(np.zeros(len(y)), y):
        out[te] = fit_predict(list(tr), list(te))
    return out


def cv_summary(y: IntArray, oof: FloatArray) -> dict[str, float]:
    t = best_threshold(y, oof)
    return {"cv_auc": float(roc_auc_score(y, oof)), "cv_macro_f1": macro_f1(y, (oof >= t).astype(np.int64)), "thr": t}


@dataclass
class Result:
    experiment: str
    task: str
    features: str
    model: str
    tuned: str
    n_train: int
    metrics: dict[str, Any] = field(default_factory=dict)

    def log(self) -> None:
        row = {
            "experiment": self.experiment,
            "task": self.task,
            "features": self.features,
            "model": self.model,
            "tuned": self.tuned,
            "n_train": self.n_train,
            **self.metrics,
        }
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")
        short = {k: round(v, 3) if isinstance(v, float) else v for k, v in self.metrics.items()}
        print(f"[{self.task}] {self.experiment}: {short}", flush=True)


def evaluate(
    y_val: IntArray, val_score: FloatArray, thr_cv: float | None, with_ci: bool = False
) -> dict[str, float | list[float]]:
    """Validation figures at the CV threshold (honest) and at the validation-chosen threshold."""
    out: dict[str, float | list[float]] = {"auc": float(roc_auc_score(y_val, val_score))}
    thr_val = best_threshold(y_val, val_score)
    v = binary_scores(y_val, val_score, thr_val)
    out.update({f"{k}_valthr": x for k, x in v.items()})
    if thr_cv is not None:
        c = binary_scores(y_val, val_score, thr_cv)
        out.update({f"{k}_cvthr": x for k, x in c.items()})
    if with_ci:
        lo, hi, alo, ahi = bootstrap_ci(y_val, val_score, thr_val)
        out["macro_f1_valthr_ci"] = [lo, hi]
        out["acc_valthr_ci"] = [alo, ahi]
        if thr_cv is not None:
            lo, hi, alo, ahi = bootstrap_ci(y_val, val_score, thr_cv)
            out["macro_f1_cvthr_ci"] = [lo, hi]
    return out


class Timer:
    def __enter__(self) -> Timer:
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0


# -- multi-label (techniques, vulnerabilities), evaluated like the paper --------------------------------------
def label_matrix(ds: Sequence[Dialogue], names: Sequence[str], kind: str) -> IntArray:
    y = np.zeros((len(ds), len(names)), dtype=np.int64)
    for i, d in enumerate(ds):
        for lab in getattr(d, kind):
            y[i, names.index(lab)] = 1
    return y


def multilabel_scores(y: IntArray, pred: IntArray) -> dict[str, float]:
    """Micro-F1, macro-F1 and exact match over the dialogues that have at least one label."""
    keep = y.sum(axis=1) > 0
    y, pred = y[keep], pred[keep]
    return {
        "micro_f1": float(f1_score(y, pred, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(y, pred, average="macro", zero_division=0)),
        "exact": float((y == pred).all(axis=1).mean()),
        "n": int(keep.sum()),
    }
