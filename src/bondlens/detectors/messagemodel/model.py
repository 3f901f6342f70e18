"""The trained message model: vectorisers and one linear scorer per label, stored with skops (no pickle).

The file holds a dict: ``word`` (a fitted ``TfidfVectorizer`` over words and word pairs), ``coef`` (labels x
features) and ``intercept``. A JSON file beside it records the labels, the reporting threshold of each label and how the
model was trained, so a person can read what the model is without loading it.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

from bondlens.detectors.messagemodel.text import TOKEN, normalise
from bondlens.errors import BondlensError

FloatArray = NDArray[np.float32]


@dataclass(frozen=True)
class ModelInfo:
    language: str
    version: str
    labels: tuple[str, ...]
    thresholds: dict[str, float]
    trained_on: dict[str, int]  # label -> positive training messages
    training_messages: int
    notes: str


@dataclass(frozen=True)
class WordWeight:
    """A word or two-word phrase and how much it pushed the score up."""

    term: str
    weight: float


class MessageModel:
    """Scores messages for every label; explains a score by the words that weighed most."""

    def __init__(self, word: TfidfVectorizer, coef: FloatArray, intercept: FloatArray, info: ModelInfo) -> None:
        if coef.shape[0] != len(info.labels) or intercept.shape != (len(info.labels),):
            raise BondlensError("message model: weights do not match its labels")
        self.word = word
        self.coef = np.ascontiguousarray(coef.T, dtype=np.float32)  # features x labels, for X @ coef
        self.intercept = intercept.astype(np.float32)
        self.info = info
        self.labels = info.labels
        self.index = {label: i for i, label in enumerate(info.labels)}
        self._word_terms: NDArray[Any] | None = None
        self._n_word = len(word.vocabulary_)

    # -- scoring -----------------------------------------------------------------------------------
    def features(self, texts: Sequence[str]) -> csr_matrix:
        return csr_matrix(self.word.transform([normalise(t) for t in texts]))

    def probabilities_of(self, features: csr_matrix) -> FloatArray:
        """Probability per row of ``features`` (rows) and label (columns)."""
        if features.shape[0] == 0:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        logits = np.asarray(features @ self.coef, dtype=np.float32) + self.intercept
        probabilities: FloatArray = (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
        return probabilities

    def probabilities(self, texts: Sequence[str]) -> FloatArray:
        """Probability per text (rows) and label (columns)."""
        return self.probabilities_of(self.features(texts)) if texts else self.probabilities_of(csr_matrix((0, 1)))

    def threshold(self, label: str) -> float:
        return self.info.thresholds[label]

    # -- explaining --------------------------------------------------------------------------------
    def top_words(self, row: csr_matrix, label: str, within: str | None = None, limit: int = 3) -> list[WordWeight]:
        """The words and word sequences of one feature ``row`` that pushed ``label``'s score up most; with
        ``within``, only those whose words all occur in that text (the evidence sentence)."""
        if self._word_terms is None:
            terms = np.empty(self._n_word, dtype=object)
            for term, column in self.word.vocabulary_.items():
                terms[column] = term
            self._word_terms = terms
        allowed = set(TOKEN.findall(normalise(within))) if within is not None else None
        column = self.index[label]
        weights: list[WordWeight] = []
        for j, value in zip(row.indices, row.data, strict=True):
            weight = float(value * self.coef[j, column])
            term = str(self._word_terms[j])
            if weight > 0 and (allowed is None or all(w in allowed for w in term.split())):
                weights.append(WordWeight(term, weight))
        weights.sort(key=lambda w: (-w.weight, w.term))
        chosen: list[WordWeight] = []
        for candidate in weights:  # "you're" adds nothing beside "you're a"
            padded = f" {candidate.term} "
            if not any(padded in f" {c.term} " or f" {c.term} " in padded for c in chosen):
                chosen.append(candidate)
            if len(chosen) == limit:
                break
        return chosen

    # -- storage -----------------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        payload = {
            "word": self.word,
            "coef": np.ascontiguousarray(self.coef.T).astype(np.float16),
            "intercept": self.intercept,
        }
        sio.dump(payload, directory / f"{self.info.language}.skops", compression=8)
        meta = {
            "language": self.info.language,
            "version": self.info.version,
            "labels": list(self.info.labels),
            "thresholds": self.info.thresholds,
            "trained_on": self.info.trained_on,
            "training_messages": self.info.training_messages,
            "notes": self.info.notes,
        }
        (directory / f"{self.info.language}.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _read_model(weights: Any, meta_text: str, name: str) -> MessageModel:
    try:
        meta = json.loads(meta_text)
        info = ModelInfo(
            language=str(meta["language"]),
            version=str(meta["version"]),
            labels=tuple(meta["labels"]),
            thresholds={str(k): float(v) for k, v in meta["thresholds"].items()},
            trained_on={str(k): int(v) for k, v in meta["trained_on"].items()},
            training_messages=int(meta["training_messages"]),
            notes=str(meta.get("notes", "")),
        )
        untrusted = sio.get_untrusted_types(data=weights)
        if untrusted:
            raise BondlensError(f"message model {name}: refusing to load unexpected types {untrusted}")
        payload = sio.loads(weights, trusted=[])
        return MessageModel(
            payload["word"],
            np.asarray(payload["coef"], dtype=np.float32),
            np.asarray(payload["intercept"], dtype=np.float32),
            info,
        )
    except (KeyError, TypeError, ValueError, zipfile.BadZipFile) as exc:
        raise BondlensError(f"message model {name} is damaged: {exc}") from None


def load_model_from(directory: Path, language: str = "en") -> MessageModel:
    weights = (directory / f"{language}.skops").read_bytes()
    meta = (directory / f"{language}.json").read_text(encoding="utf-8")
    return _read_model(weights, meta, str(directory / f"{language}.skops"))


@cache
def load_message_model(language: str = "en") -> MessageModel:
    """The model shipped in the package for ``language`` (loaded once per process)."""
    root = resources.files("bondlens.detectors.messagemodel").joinpath("models")
    weights, meta = root.joinpath(f"{language}.skops"), root.joinpath(f"{language}.json")
    if not weights.is_file() or not meta.is_file():
        raise BondlensError(f"no message model for language {language!r}")
    return _read_model(weights.read_bytes(), meta.read_text(encoding="utf-8"), f"{language}.skops")
