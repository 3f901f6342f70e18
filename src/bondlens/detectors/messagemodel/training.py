"""Training the message model from labelled messages (``training/messages/<language>/*.jsonl``) and the rule
files' own examples, and choosing each label's reporting threshold on a separate tuning set."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bondlens.detectors.messagemodel.model import MessageModel, ModelInfo
from bondlens.detectors.messagemodel.text import normalise
from bondlens.detectors.rules.loader import load_rules
from bondlens.errors import BondlensError
from bondlens.taxonomy import SIGNS, TACTICS

LABELS: tuple[str, ...] = TACTICS + SIGNS


@dataclass(frozen=True)
class TrainingMessage:
    text: str
    sender: str  # "me" or "them"
    labels: frozenset[str]
    source: str  # file:line or rule id


@dataclass(frozen=True)
class Settings:
    c: float = 32.0  # inverse regularisation of each label's logistic regression
    word_ngrams: tuple[int, int] = (1, 2)
    min_df: int = 1  # a word n-gram must occur in this many training messages to be a feature
    film_weight: float = 3.0  # sample weight of the MentalManip everyday utterances (negatives)
    positive_weight: float | None = None  # weight of a label's positives; None: balanced against its negatives
    min_precision: float = 0.9  # a label's threshold: the lowest that keeps tuning precision at least this


def read_corpus(folder: Path) -> list[TrainingMessage]:
    """Every JSONL file in ``folder``: one message per line with ``sender``, ``text`` and ``labels``."""
    messages: list[TrainingMessage] = []
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise BondlensError(f"{folder}: no training files (*.jsonl)")
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                labels = frozenset(str(label) for label in raw["labels"])
                message = TrainingMessage(str(raw["text"]), str(raw["sender"]), labels, f"{path.name}:{number}")
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise BondlensError(f"{path}:{number}: not a training message ({exc})") from None
            unknown = labels - set(LABELS)
            if unknown:
                raise BondlensError(f"{path}:{number}: unknown label(s) {sorted(unknown)}")
            messages.append(message)
    return messages


def rule_examples(language: str = "en") -> list[TrainingMessage]:
    """The rule files' positive examples, labelled with their rule's label."""
    out: list[TrainingMessage] = []
    for rule in load_rules(language).rules:
        sender = "them" if rule.label_set == "tactic" else "me"
        out.extend(TrainingMessage(ex.text, sender, frozenset({rule.label}), rule.id) for ex in rule.positive)
    return out


def film_negatives(path: Path, min_words: int = 3) -> list[TrainingMessage]:
    """Utterances of the dialogues that MentalManip (``con_train.jsonl``) marks as not manipulative, as ordinary
    speech the model must not flag: everyday talk that our own corpus cannot cover."""
    out: list[TrainingMessage] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            manipulative, text = bool(record["manipulative"]), str(record["text"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise BondlensError(f"{path}:{number}: not a MentalManip record ({exc})") from None
        if manipulative:
            continue
        for turn, utterance in enumerate(text.splitlines()):
            said = utterance.split(":", 1)[1].strip() if ":" in utterance else utterance.strip()
            if len(said.split()) >= min_words:
                sender = "them" if turn % 2 else "me"
                out.append(TrainingMessage(said, sender, frozenset(), f"{path.name}:{number}"))
    return out


def train(messages: Sequence[TrainingMessage], settings: Settings = Settings(), language: str = "en") -> MessageModel:
    """Fit the vectorisers and one balanced logistic regression per label (all other messages are negatives)."""
    texts = [normalise(m.text) for m in messages]
    word = TfidfVectorizer(
        token_pattern=r"(?u)\b\w+\b",
        ngram_range=settings.word_ngrams,
        sublinear_tf=True,
        min_df=settings.min_df,
        dtype=np.float32,
    )
    x = word.fit_transform(texts)
    weights = np.array([settings.film_weight if m.source.startswith("con_train") else 1.0 for m in messages])
    coef = np.zeros((len(LABELS), x.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(LABELS), dtype=np.float32)
    counts: Counter[str] = Counter()
    for i, label in enumerate(LABELS):
        y = np.array([label in m.labels for m in messages], dtype=np.int8)
        counts[label] = int(y.sum())
        if counts[label] == 0:
            raise BondlensError(f"no training messages for label {label!r}")
        model = LogisticRegression(
            C=settings.c,
            class_weight="balanced" if settings.positive_weight is None else {0: 1.0, 1: settings.positive_weight},
            max_iter=2000,
            solver="liblinear",
            random_state=0,
        )
        model.fit(x, y, sample_weight=weights)
        coef[i] = model.coef_[0]
        intercept[i] = model.intercept_[0]
    info = ModelInfo(
        language=language,
        version="1",
        labels=LABELS,
        thresholds=dict.fromkeys(LABELS, 0.5),
        trained_on=dict(counts),
        training_messages=len(messages),
        notes=f"word n-grams {settings.word_ngrams} TF-IDF, logistic regression C={settings.c}",
    )
    return MessageModel(word, coef, intercept, info)


NEVER = 1.01  # a threshold no probability reaches: the model does not report the label


def choose_threshold(scores: Iterable[float], gold: Iterable[bool], min_precision: float) -> float:
    """The lowest threshold whose precision on the tuning items is at least ``min_precision`` (recall is then
    as high as that precision allows); ``NEVER`` when no threshold reaches it, so that a label the model cannot
    tell apart is left to the rules instead of being reported at a guessed threshold."""
    pairs = sorted(zip(scores, gold, strict=True), key=lambda p: -p[0])
    best = None
    tp = fp = 0
    for score, is_gold in pairs:
        tp += is_gold
        fp += not is_gold
        if is_gold and tp / (tp + fp) >= min_precision:
            best = score
    # rounded down, so the item that set it is still at or above it
    return math.floor(float(best) * 10_000) / 10_000 if best is not None and best > 0.05 else NEVER
