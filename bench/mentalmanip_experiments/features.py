"""Feature transformers shared by the experiments: NB-SVM, per-speaker text and hand-made speaker features."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from mmdata import FloatArray
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression

LINE = re.compile(r"^\s*([^:\n]{1,40}):\s?(.*)$", re.M)
YOU = re.compile(r"\b(you|your|yours|yourself|you're|youre|you've|you'll|you'd|ya)\b", re.I)
I_WORDS = re.compile(r"\b(i|me|my|mine|myself|i'm|im|i've|i'll|i'd)\b", re.I)
WE = re.compile(r"\b(we|us|our|ours|we're|let's)\b", re.I)
NEG = re.compile(r"\b(no|not|never|nothing|don't|dont|can't|won't|didn't|isn't|aren't)\b|n't\b", re.I)
IMPERATIVE = re.compile(
    r"^\s*(?:now\s+|just\s+|please\s+)?(listen|look|stop|get|go|come|shut|give|tell|don't|do|take|leave|"
    r"let|sit|stay|keep|think|remember|forget|trust|believe|be|make|try|wait|put|call|say|help|hold)\b",
    re.I,
)
INSULT = re.compile(
    r"\b(stupid|idiot|fool|pathetic|worthless|useless|dumb|crazy|liar|loser|weak|ugly|bitch|bastard|"
    r"disgusting|selfish|ungrateful|coward)\b",
    re.I,
)
PLEASE = re.compile(r"\b(please|sorry|love|honey|baby|darling|sweetheart|dear)\b", re.I)
WORD = re.compile(r"\w+")


def split_turns(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for line in text.split("\n"):
        m = LINE.match(line)
        if m:
            out.append((m.group(1).strip(), m.group(2)))
        elif out:
            out[-1] = (out[-1][0], out[-1][1] + " " + line)
        elif line.strip():
            out.append(("?", line))
    return out


def by_speaker(text: str) -> dict[str, str]:
    """Speaker -> their utterances joined, in order of first appearance."""
    out: dict[str, list[str]] = {}
    for who, utt in split_turns(text):
        out.setdefault(who, []).append(utt)
    return {k: " \n ".join(v) for k, v in out.items()}


def speaker_stats(utts: Sequence[str], total_turns: int) -> list[float]:
    joined = " ".join(utts)
    words = max(1, len(WORD.findall(joined)))
    n = max(1, len(utts))
    return [
        len(utts) / max(1, total_turns),
        np.log1p(words),
        words / n / 20.0,
        joined.count("?") / n,
        joined.count("!") / n,
        len(YOU.findall(joined)) / words * 10,
        len(I_WORDS.findall(joined)) / words * 10,
        len(WE.findall(joined)) / words * 10,
        len(NEG.findall(joined)) / words * 10,
        sum(bool(IMPERATIVE.match(u)) for u in utts) / n,
        len(INSULT.findall(joined)) / n,
        len(PLEASE.findall(joined)) / n,
        sum(1 for c in joined if c.isupper()) / max(1, len(joined)) * 10,
        joined.count("...") / n,
    ]


N_STATS = 14


class SpeakerStats(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Hand-made per-speaker features: stats of the more and the less 'you'-heavy speaker, plus totals.

    Speakers are ordered by a score (second-person pronouns + imperatives + questions per turn) so that column
    blocks mean "most likely manipulator" and "other", not Person1/Person2.
    """

    def fit(self, x: Sequence[str], y: Any = None) -> SpeakerStats:
        return self

    def transform(self, x: Sequence[str]) -> FloatArray:
        rows = []
        for text in x:
            turns = split_turns(text)
            groups: dict[str, list[str]] = {}
            for who, utt in turns:
                groups.setdefault(who, []).append(utt)
            stats = [speaker_stats(u, len(turns)) for u in groups.values()]
            while len(stats) < 2:
                stats.append([0.0] * N_STATS)
            stats.sort(key=lambda s: -(s[5] + s[9] + s[3] + s[10]))
            a, b = np.array(stats[0]), np.array(stats[1])
            rows.append(np.concatenate([a, b, a - b, [np.log1p(len(turns)), len(groups)]]))
        return np.asarray(rows, dtype=np.float64)


class SpeakerTfidf(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """One vectoriser applied to each speaker's text; columns = [max over speakers, min over speakers].

    Max-pooling lets "some speaker says X" count, whoever it is, which a whole-dialogue bag cannot separate
    from "both say a bit of X".
    """

    def __init__(self, vectorizer: Any = None) -> None:
        self.vectorizer = vectorizer

    def fit(self, x: Sequence[str], y: Any = None) -> SpeakerTfidf:
        docs = [t for text in x for t in by_speaker(text).values()]
        self.vectorizer.fit(docs)
        return self

    def transform(self, x: Sequence[str]) -> sparse.csr_matrix:
        maxes, mins = [], []
        for text in x:
            parts = list(by_speaker(text).values()) or [""]
            m = self.vectorizer.transform(parts)
            maxes.append(sparse.csr_matrix(m.max(axis=0)))
            mins.append(sparse.csr_matrix(m.min(axis=0)) if m.shape[0] > 1 else sparse.csr_matrix(m.shape[1:]))
        return sparse.hstack([sparse.vstack(maxes), sparse.vstack(mins)]).tocsr()


class NBSVM(BaseEstimator, ClassifierMixin):  # type: ignore[misc]
    """Wang & Manning (2012) NB-LR: scale binary features by the log-count ratio, then logistic regression."""

    def __init__(self, C: float = 1.0, alpha: float = 1.0) -> None:
        self.C = C
        self.alpha = alpha

    def fit(self, x: Any, y: Any) -> NBSVM:
        x = sparse.csr_matrix(x)
        y = np.asarray(y)
        p = self.alpha + np.asarray(x[y == 1].sum(axis=0)).ravel()
        q = self.alpha + np.asarray(x[y == 0].sum(axis=0)).ravel()
        self.r_ = np.log((p / p.sum()) / (q / q.sum()))
        self.lr_ = LogisticRegression(C=self.C, max_iter=3000)
        self.lr_.fit(x.multiply(self.r_).tocsr(), y)
        self.classes_ = self.lr_.classes_
        return self

    def predict_proba(self, x: Any) -> Any:
        return self.lr_.predict_proba(sparse.csr_matrix(x).multiply(self.r_).tocsr())

    def predict(self, x: Any) -> Any:
        return self.lr_.predict(sparse.csr_matrix(x).multiply(self.r_).tocsr())


class UtteranceMIL(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Multiple-instance view: an utterance classifier trained with its dialogue's label; features are
    [max, mean, top-2 mean, per-speaker max of mean] of utterance logits. On training data the utterance scores
    come from an inner 5-fold split so the dialogue-level model does not see in-sample scores.
    """

    def __init__(self, vectorizer: Any = None, C: float = 0.3) -> None:
        self.vectorizer = vectorizer
        self.C = C

    def _fit_utt(self, x: Sequence[str], y: Any) -> Any:
        from sklearn.base import clone
        from sklearn.pipeline import make_pipeline

        utts, ys = [], []
        for text, label in zip(x, y, strict=True):
            for _, u in split_turns(text):
                utts.append(u)
                ys.append(label)
        m = make_pipeline(clone(self.vectorizer), LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced"))
        m.fit(utts, ys)
        return m

    @staticmethod
    def _pool(model: Any, x: Sequence[str]) -> FloatArray:
        turns = [split_turns(t) or [("?", "")] for t in x]
        flat = [u for ts in turns for _, u in ts]
        s = model.decision_function(flat)
        rows, k = [], 0
        for ts in turns:
            v = s[k : k + len(ts)]
            k += len(ts)
            spk: dict[str, list[float]] = {}
            for (who, _), val in zip(ts, v, strict=True):
                spk.setdefault(who, []).append(float(val))
            rows.append([v.max(), v.mean(), np.sort(v)[-2:].mean(), max(np.mean(g) for g in spk.values())])
        return np.asarray(rows, dtype=np.float64)

    def fit(self, x: Sequence[str], y: Any = None) -> UtteranceMIL:
        self.model_ = self._fit_utt(x, y)
        return self

    def fit_transform(self, x: Sequence[str], y: Any = None, **fit_params: Any) -> FloatArray:
        from sklearn.model_selection import StratifiedKFold

        x = list(x)
        y = np.asarray(y)
        out = np.zeros((len(x), 4))
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=3).split(x, y):
            m = self._fit_utt([x[i] for i in tr], y[tr])
            out[te] = self._pool(m, [x[i] for i in te])
        self.model_ = self._fit_utt(x, y)
        return out

    def transform(self, x: Sequence[str]) -> FloatArray:
        return self._pool(self.model_, x)


class TechniqueScores(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Auxiliary supervision: one-vs-rest LR for the 11 techniques (non-manipulative dialogues are all-negative),
    its logits as 11 features. Technique labels are looked up by dialogue text in ``label_of`` (training data only;
    unknown texts count as unlabelled). Training-set features come from an inner 5-fold split.
    """

    def __init__(
        self, vectorizer: Any = None, label_of: dict[str, tuple[str, ...]] | None = None, C: float = 1.0
    ) -> None:
        self.vectorizer = vectorizer
        self.label_of = label_of
        self.C = C

    def _y(self, x: Sequence[str]) -> Any:
        from mmdata import TECHNIQUES

        lab = self.label_of or {}
        y = np.zeros((len(x), len(TECHNIQUES)), dtype=np.int64)
        for i, t in enumerate(x):
            for name in lab.get(t, ()):
                y[i, TECHNIQUES.index(name)] = 1
        return y

    def _fit(self, x: Sequence[str]) -> Any:
        from sklearn.base import clone
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import make_pipeline

        y = self._y(x)
        y[:, y.sum(0) == 0] = 0
        clf = OneVsRestClassifier(LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced"))
        m = make_pipeline(clone(self.vectorizer), clf)
        keep = y.sum(0) > 0
        m.fit(list(x), y[:, keep])
        return m, keep

    @staticmethod
    def _scores(mk: Any, x: Sequence[str]) -> FloatArray:
        m, keep = mk
        out = np.zeros((len(x), len(keep)))
        out[:, keep] = m.decision_function(list(x))
        return out

    def fit(self, x: Sequence[str], y: Any = None) -> TechniqueScores:
        self.model_ = self._fit(x)
        return self

    def fit_transform(self, x: Sequence[str], y: Any = None, **fit_params: Any) -> FloatArray:
        from sklearn.model_selection import KFold

        x = list(x)
        out = np.zeros((len(x), 11))
        for tr, te in KFold(5, shuffle=True, random_state=3).split(x):
            out[te] = self._scores(self._fit([x[i] for i in tr]), [x[i] for i in te])
        self.model_ = self._fit(x)
        return out

    def transform(self, x: Sequence[str]) -> FloatArray:
        return self._scores(self.model_, x)


class RulesFeatures(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """bondlens rules detector on every utterance: per tactic/sign label, the best score in the dialogue and the
    share of utterances with a hit (2 x number of labels columns). The rule files were still being written when
    this ran, so the figures are a snapshot.
    """

    def fit(self, x: Sequence[str], y: Any = None) -> RulesFeatures:
        return self

    def transform(self, x: Sequence[str]) -> FloatArray:
        from bondlens.detectors.rules import RulesDetector

        det = RulesDetector()
        sets = tuple({r.label_set for r in det.ruleset.rules})
        names = sorted({r.label for r in det.ruleset.rules})
        rows = []
        for text in x:
            turns = split_turns(text)
            best = np.zeros(len(names))
            hits = np.zeros(len(names))
            for _, utt in turns:
                seen: set[str] = set()
                for c in det.candidates(utt, sets):
                    i = names.index(c.rule.label)
                    best[i] = max(best[i], c.score)
                    seen.add(c.rule.label)
                for lab in seen:
                    hits[names.index(lab)] += 1
            rows.append(np.concatenate([best, hits / max(1, len(turns))]))
        return np.asarray(rows, dtype=np.float64)
