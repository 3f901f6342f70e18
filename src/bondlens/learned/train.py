"""Training the learned model from MentalManip, deterministically (fixed folds, one BLAS thread).

Every hyper-parameter below was chosen in ``bench/mentalmanip_experiments`` by cross-validation on the training
portion (C values, label thresholds) or on the validation portion (the binary threshold); nothing is searched
here, so the same data always gives the same model, byte for byte (see :meth:`MentalManipModel.to_bytes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from bondlens.learned.data import Dialogue, LabelKind, Task, TrainingSets, binary_labels, label_matrix, training_sets
from bondlens.learned.features import FloatArray, canonical_speakers, speaker_features, word_vectorizer
from bondlens.learned.labels import TECHNIQUES, VULNERABILITIES
from bondlens.learned.metrics import IntArray, best_threshold
from bondlens.learned.model import MentalManipModel, logit

WORDS_C = 0.3  # 5-fold CV AUC on con_train over {0.3, 1, 3, 10, 30}
STATS_C = 0.1  # over {0.01, 0.1, 1}
COMBINER_C = 1.0
HEAD_C = 1.0  # techniques and vulnerabilities: 5-fold CV micro-F1 on train over {0.3, 1, 3, 10}
TECHNIQUE_THRESHOLD = 0.45  # same CV, over 0.20, 0.25, ..., 0.90
VULNERABILITY_THRESHOLD = 0.45
FOLDS = 5
SEED = 17
# macro-F1-best thresholds on the validation portions (bench/mentalmanip_experiments/final.py); con is shipped
VALIDATED_THRESHOLD: dict[Task, float] = {"con": 0.6205, "maj": 0.709}


def _balanced_lr(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=3000, class_weight="balanced")


def _texts(dialogues: Sequence[Dialogue]) -> list[str]:
    """The dialogues as the model reads them (speakers renamed Person1, Person2 ...; MentalManip's already are)."""
    return [canonical_speakers(d.text) for d in dialogues]


def _oof(make: object, x: object, y: IntArray, rows: int) -> FloatArray:
    """Out-of-fold probabilities of a fresh copy of ``make`` (5 stratified folds, shuffled with a fixed seed)."""
    out = np.zeros(rows, dtype=np.float64)
    for tr, te in StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED).split(np.zeros(rows), y):
        model = clone(make)
        model.fit(_take(x, tr), y[tr])
        out[te] = model.predict_proba(_take(x, te))[:, 1]
    return out


def _take(x: object, idx: IntArray) -> object:
    if isinstance(x, list):
        return [x[i] for i in idx]
    return np.asarray(x)[idx]


def _head(dialogues: Sequence[Dialogue], names: Sequence[str], kind: LabelKind) -> tuple[object, tuple[str, ...]]:
    y = label_matrix(dialogues, names, kind)
    keep = y.sum(axis=0) > 0
    head = make_pipeline(word_vectorizer(), OneVsRestClassifier(_balanced_lr(HEAD_C)))
    head.fit(_texts(dialogues), y[:, keep])
    return head, tuple(n for n, k in zip(names, keep, strict=True) if k)


def fit(sets: TrainingSets, threshold: float | None = None) -> tuple[MentalManipModel, FloatArray]:
    """Fit every part on ``sets``; also return the combiner's out-of-fold training scores (for a threshold that
    never saw validation data)."""
    x = _texts(sets.binary)
    y = binary_labels(sets.binary)
    stats_x = speaker_features(x)
    with threadpool_limits(limits=1):
        words = make_pipeline(word_vectorizer(), _balanced_lr(WORDS_C))
        stats = make_pipeline(StandardScaler(), _balanced_lr(STATS_C))
        oof = np.column_stack([_oof(words, x, y, len(x)), _oof(stats, stats_x, y, len(x))])
        words.fit(x, y)
        stats.fit(stats_x, y)
        combiner = LogisticRegression(C=COMBINER_C, max_iter=1000).fit(logit(oof), y)
        combined_oof = np.asarray(
            cross_val_predict(LogisticRegression(C=COMBINER_C), logit(oof), y, cv=FOLDS, method="predict_proba")[:, 1],
            dtype=np.float64,
        )
        techniques, technique_names = _head(sets.techniques, TECHNIQUES, "techniques")
        vulnerabilities, vulnerability_names = _head(sets.vulnerabilities, VULNERABILITIES, "vulnerabilities")
    train_threshold = best_threshold(y, combined_oof)
    chosen = VALIDATED_THRESHOLD[sets.task] if threshold is None else threshold
    info = {
        "name": "mentalmanip-v1" if sets.task == "con" else f"mentalmanip-{sets.task}",
        "training_data": f"MentalManip {sets.task}_train (Wang et al., ACL 2024), CC BY-NC 4.0",
        "licence": "CC BY-NC 4.0 (inherited from the training data: non-commercial use only)",
        "binary_dialogues": str(len(sets.binary)),
        "technique_dialogues": str(len(sets.techniques)),
        "vulnerability_dialogues": str(len(sets.vulnerabilities)),
        "train_oof_threshold": f"{train_threshold:.4f}",
        "combiner_weights": ", ".join(f"{w:.3f}" for w in [*combiner.coef_[0], combiner.intercept_[0]]),
    }
    model = MentalManipModel(
        words=words,
        stats=stats,
        combiner=combiner,
        techniques=techniques,
        vulnerabilities=vulnerabilities,
        technique_names=technique_names,
        vulnerability_names=vulnerability_names,
        threshold=chosen,
        technique_threshold=TECHNIQUE_THRESHOLD,
        vulnerability_threshold=VULNERABILITY_THRESHOLD,
        info=info,
    )
    return model, combined_oof


def train(
    data_dir: str | Path | None = None, *, task: Task = "con", threshold: float | None = None
) -> MentalManipModel:
    """Build the model from the MentalManip files in ``data_dir`` (default: :func:`default_data_dir`).

    ``task="con"`` (consensus labels) is the shipped model; ``"maj"`` is trained only to report the majority-label
    figures. ``threshold`` defaults to the one chosen on that task's validation portion.
    """
    model, _ = fit(training_sets(data_dir, task), threshold)
    return model
