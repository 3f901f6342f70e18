"""The figures the model is judged by, computed the way the MentalManip experiments computed them."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import f1_score, roc_auc_score

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

MAX_THRESHOLD_CANDIDATES = 400


def macro_f1(y: IntArray, pred: IntArray) -> float:
    return float(f1_score(y, pred, average="macro", zero_division=0))


def best_threshold(y: IntArray, score: FloatArray) -> float:
    """The threshold with the best macro-F1 (``score >= threshold`` is manipulative): midpoints between
    neighbouring distinct scores, or 401 quantiles when there are more than 400 of them."""
    distinct = np.unique(score)
    if len(distinct) > 1:
        candidates = np.concatenate([[distinct[0] - 1e-9], (distinct[1:] + distinct[:-1]) / 2, [distinct[-1] + 1e-9]])
    else:
        candidates = distinct
    if len(candidates) > MAX_THRESHOLD_CANDIDATES:
        candidates = np.quantile(score, np.linspace(0, 1, MAX_THRESHOLD_CANDIDATES + 1))
    best, best_threshold_ = -1.0, 0.5
    for threshold in candidates:
        f = macro_f1(y, (score >= threshold).astype(np.int64))
        if f > best:
            best, best_threshold_ = f, float(threshold)
    return best_threshold_


def binary_scores(y: IntArray, score: FloatArray, threshold: float) -> dict[str, float]:
    """Accuracy, precision, recall and F1 of the manipulative class, macro-F1 and ROC-AUC."""
    pred = (score >= threshold).astype(np.int64)
    tp = int(((pred == 1) & (y == 1)).sum())
    precision = tp / max(1, int(pred.sum()))
    recall = tp / max(1, int(y.sum()))
    return {
        "accuracy": float((pred == y).mean()),
        "precision": precision,
        "recall": recall,
        "f1": 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall),
        "macro_f1": macro_f1(y, pred),
        "roc_auc": float(roc_auc_score(y, score)),
        "threshold": threshold,
    }


def bootstrap_ci(
    y: IntArray, score: FloatArray, threshold: float, n: int = 2000, seed: int = 0
) -> dict[str, tuple[float, float]]:
    """95 % percentile bootstrap intervals of macro-F1 and accuracy at a fixed threshold (dialogues resampled)."""
    rng = np.random.default_rng(seed)
    pred = (score >= threshold).astype(np.int64)
    f1s, accuracies = [], []
    for _ in range(n):
        idx = rng.integers(0, len(y), len(y))
        f1s.append(macro_f1(y[idx], pred[idx]))
        accuracies.append(float((pred[idx] == y[idx]).mean()))
    return {
        "macro_f1": (float(np.percentile(f1s, 2.5)), float(np.percentile(f1s, 97.5))),
        "accuracy": (float(np.percentile(accuracies, 2.5)), float(np.percentile(accuracies, 97.5))),
    }


def decide_labels(scores: FloatArray, threshold: float) -> IntArray:
    """Multi-label decision: the top-scoring label always, plus every label scoring at least ``threshold``."""
    pred = (scores >= threshold).astype(np.int64)
    if scores.shape[0] and scores.shape[1]:
        pred[np.arange(len(scores)), scores.argmax(axis=1)] = 1
    return pred


def multilabel_scores(y: IntArray, pred: IntArray) -> dict[str, float]:
    """Micro-F1, macro-F1 and exact match over the dialogues that carry at least one label (as the paper)."""
    keep = y.sum(axis=1) > 0
    y, pred = y[keep], pred[keep]
    return {
        "micro_f1": float(f1_score(y, pred, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(y, pred, average="macro", zero_division=0)),
        "exact_match": float((y == pred).all(axis=1).mean()),
        "n": int(keep.sum()),
    }
