"""N-gram TF-IDF + linear models, per-speaker features, con+maj training (issue 5 experiments).

.venv/bin/python bench/mentalmanip_experiments/exp_linear.py [--only NAME ...] [--task con maj] [--extra]
"""

# ruff: noqa: E402  (thread and offline settings must be set before numpy/torch load)

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

from features import NBSVM, RulesFeatures, SpeakerStats, SpeakerTfidf, TechniqueScores, UtteranceMIL
from mmdata import load, task
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

TECH_OF = {d.text: d.techniques for n in ("con_train", "maj_train") for d in load(n)}
from runner import run

C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)


def word(ng: tuple[int, int] = (1, 2), min_df: int = 2, sub: bool = True) -> TfidfVectorizer:
    return TfidfVectorizer(
        ngram_range=ng, min_df=min_df, sublinear_tf=sub, lowercase=True, token_pattern=r"(?u)\b\w+\b|[?!]"
    )


def char(ng: tuple[int, int] = (2, 5), min_df: int = 2) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=ng, min_df=min_df, sublinear_tf=True, max_features=200000)


def lr(c: float, bal: bool = True) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if bal else None)


Config = tuple[Callable[..., Any], dict[str, Any], str, str]

CONFIGS: dict[str, Config] = {
    "word1_lr_default": (
        lambda C: make_pipeline(TfidfVectorizer(), LogisticRegression(C=C, max_iter=3000)),
        {"C": (1.0,)},
        "TF-IDF words 1-gram sklearn defaults",
        "LR C=1 (baseline like the paper's)",
    ),
    "word12_lr": (
        lambda C: make_pipeline(word(), lr(C)),
        {"C": C_GRID},
        "TF-IDF words 1-2, sublinear, min_df 2",
        "LR balanced",
    ),
    "word13_lr": (
        lambda C: make_pipeline(word((1, 3)), lr(C)),
        {"C": C_GRID},
        "TF-IDF words 1-3, sublinear, min_df 2",
        "LR balanced",
    ),
    "word1_lr": (
        lambda C: make_pipeline(word((1, 1)), lr(C)),
        {"C": C_GRID},
        "TF-IDF words 1, sublinear",
        "LR balanced",
    ),
    "char25_lr": (lambda C: make_pipeline(char(), lr(C)), {"C": C_GRID}, "TF-IDF char_wb 2-5", "LR balanced"),
    "char36_lr": (lambda C: make_pipeline(char((3, 6)), lr(C)), {"C": C_GRID}, "TF-IDF char_wb 3-6", "LR balanced"),
    "wordchar_lr": (
        lambda C: make_pipeline(FeatureUnion([("w", word()), ("c", char())]), lr(C)),
        {"C": C_GRID},
        "TF-IDF words 1-2 + char_wb 2-5",
        "LR balanced",
    ),
    "wordchar_svm": (
        lambda C: make_pipeline(FeatureUnion([("w", word()), ("c", char())]), LinearSVC(C=C, class_weight="balanced")),
        {"C": (0.03, 0.1, 0.3, 1.0)},
        "TF-IDF words 1-2 + char_wb 2-5",
        "LinearSVC balanced",
    ),
    "word12_svm": (
        lambda C: make_pipeline(word(), LinearSVC(C=C, class_weight="balanced")),
        {"C": (0.03, 0.1, 0.3, 1.0)},
        "TF-IDF words 1-2",
        "LinearSVC balanced",
    ),
    "word12_sgd": (
        lambda alpha: make_pipeline(
            word(), SGDClassifier(loss="modified_huber", alpha=alpha, class_weight="balanced", random_state=0)
        ),
        {"alpha": (1e-5, 1e-4, 1e-3, 1e-2)},
        "TF-IDF words 1-2",
        "SGD modified_huber balanced",
    ),
    "word12_nbsvm": (
        lambda C: make_pipeline(
            CountVectorizer(ngram_range=(1, 2), binary=True, token_pattern=r"(?u)\b\w+\b|[?!]"), NBSVM(C=C)
        ),
        {"C": (0.03, 0.1, 0.3, 1.0)},
        "binary word 1-2 counts x NB log-count ratio",
        "NB-LR (Wang & Manning)",
    ),
    "word13_nbsvm": (
        lambda C: make_pipeline(
            CountVectorizer(ngram_range=(1, 3), binary=True, token_pattern=r"(?u)\b\w+\b|[?!]"), NBSVM(C=C)
        ),
        {"C": (0.03, 0.1, 0.3, 1.0)},
        "binary word 1-3 counts x NB log-count ratio",
        "NB-LR (Wang & Manning)",
    ),
    "word12_cnb": (
        lambda alpha: make_pipeline(word(), ComplementNB(alpha=alpha)),
        {"alpha": (0.1, 0.3, 1.0, 3.0)},
        "TF-IDF words 1-2",
        "ComplementNB",
    ),
    "speaker_stats_lr": (
        lambda C: make_pipeline(SpeakerStats(), StandardScaler(), lr(C)),
        {"C": (0.01, 0.1, 1.0)},
        "44 hand-made per-speaker stats (turn share, ?, !, you/I/we, negation, imperatives, insults, endearments)",
        "LR balanced",
    ),
    "speaker_word12_lr": (
        lambda C: make_pipeline(SpeakerTfidf(word()), lr(C)),
        {"C": C_GRID},
        "per-speaker TF-IDF words 1-2, [max, min] over speakers",
        "LR balanced",
    ),
    "word12+speaker_lr": (
        lambda C: make_pipeline(FeatureUnion([("w", word()), ("s", SpeakerTfidf(word()))]), lr(C)),
        {"C": C_GRID},
        "TF-IDF words 1-2 (dialogue) + per-speaker [max, min]",
        "LR balanced",
    ),
    "word12+stats_lr": (
        lambda C: make_pipeline(
            FeatureUnion([("w", word()), ("s", make_pipeline(SpeakerStats(), StandardScaler()))]), lr(C)
        ),
        {"C": (0.1, 0.3, 1.0, 3.0)},
        "TF-IDF words 1-2 + 44 speaker stats (standardised)",
        "LR balanced",
    ),
    "utt_mil_lr": (
        lambda C: make_pipeline(UtteranceMIL(word(), 0.3), StandardScaler(), lr(C)),
        {"C": (0.1, 1.0)},
        "utterance TF-IDF LR (trained with dialogue label) -> [max, mean, top-2, best speaker mean] of logits",
        "LR balanced on 4 pooled scores (multiple-instance)",
    ),
    "word12+utt_mil_lr": (
        lambda C: make_pipeline(
            FeatureUnion([("w", word()), ("m", make_pipeline(UtteranceMIL(word(), 0.3), StandardScaler()))]), lr(C)
        ),
        {"C": (0.3, 1.0, 3.0)},
        "TF-IDF words 1-2 + 4 pooled utterance-classifier scores (standardised)",
        "LR balanced",
    ),
    "tech_aux_lr": (
        lambda C: make_pipeline(TechniqueScores(word(), TECH_OF), StandardScaler(), lr(C)),
        {"C": (0.01, 0.1, 1.0)},
        "11 technique logits from an OvR TF-IDF LR trained on technique labels (train only)",
        "LR balanced (auxiliary supervision)",
    ),
    "word12+tech_aux_lr": (
        lambda C: make_pipeline(
            FeatureUnion([("w", word()), ("t", make_pipeline(TechniqueScores(word(), TECH_OF), StandardScaler()))]),
            lr(C),
        ),
        {"C": (0.1, 0.3, 1.0, 3.0)},
        "TF-IDF words 1-2 + 11 technique logits (standardised)",
        "LR balanced",
    ),
    "rules_lr": (
        lambda C: make_pipeline(RulesFeatures(), StandardScaler(), lr(C)),
        {"C": (0.01, 0.1, 1.0)},
        "bondlens rules detector: per label best score + share of utterances hit (snapshot of the rule files)",
        "LR balanced",
    ),
    "word12+rules_lr": (
        lambda C: make_pipeline(
            FeatureUnion([("w", word()), ("r", make_pipeline(RulesFeatures(), StandardScaler()))]), lr(C)
        ),
        {"C": (0.1, 0.3, 1.0, 3.0)},
        "TF-IDF words 1-2 + rules features (standardised)",
        "LR balanced",
    ),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--task", nargs="*", default=["con"])
    ap.add_argument("--extra", action="store_true", help="add the other set's training dialogues")
    a = ap.parse_args()
    for tname in a.task:
        t = task(tname, extra=a.extra)
        suffix = "+othertrain" if a.extra else ""
        for name, (make, space, feats, model) in CONFIGS.items():
            if a.only and name not in a.only:
                continue
            run(name + suffix, t, make, space, feats, model)


if __name__ == "__main__":
    main()
