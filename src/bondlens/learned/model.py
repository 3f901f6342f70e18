"""The learned manipulation model: what it holds, how it predicts, and how it is saved and loaded (skops, never
pickle).

Binary detection is ``stack_lr[word12+stats]`` from the MentalManip experiments: a TF-IDF word 1-2-gram logistic
regression and a logistic regression on 44 per-speaker statistics, combined by a third logistic regression on
their logits. Techniques and vulnerabilities are one-vs-rest logistic regressions on word 1-2-grams; each
predicts its top label plus every label whose probability reaches its threshold.
"""

from __future__ import annotations

import copy
import io
import itertools
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio
from scipy import sparse
from sklearn.preprocessing import normalize

from bondlens.errors import BondlensError
from bondlens.learned.features import FloatArray, canonical_speakers, speaker_features
from bondlens.learned.labels import TECHNIQUES, VULNERABILITIES, tactics_for

MODEL_NAME = "mentalmanip-v1"
MODEL_FORMAT = "bondlens.learned/1"
MODEL_RESOURCE = f"models/{MODEL_NAME}.skops"
SCORE_DECIMALS = 6  # scores are rounded so that output is stable and short

# Every type a model file may contain: exactly the types of the shipped file, checked by bondlens itself before
# skops sees the file (skops's own default list is broader), and then given to skops.io.load as its trusted list.
TRUSTED_TYPES: tuple[str, ...] = (
    "builtins.dict",
    "builtins.list",
    "builtins.str",
    "builtins.tuple",
    "numpy.float64",
    "numpy.ndarray",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._label.LabelBinarizer",
)


class ModelFileError(BondlensError):
    """The model file is missing, damaged, or holds something bondlens does not trust."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass(frozen=True, slots=True)
class Prediction:
    """The model's reading of one dialogue. ``techniques``/``vulnerabilities``/``tactics`` are empty unless
    ``manipulative``; techniques come strongest first, tactics are bondlens tactic ids mapped from them."""

    id: str | int | None
    manipulative: bool
    score: float
    techniques: tuple[str, ...] = ()
    vulnerabilities: tuple[str, ...] = ()
    tactics: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score {self.score} is outside [0, 1]")

    def record(self) -> dict[str, Any]:
        """The `bondlens classify` output line, as a JSON-ready dict."""
        return {
            "id": self.id,
            "manipulative": self.manipulative,
            "score": self.score,
            "techniques": list(self.techniques),
            "vulnerabilities": list(self.vulnerabilities),
            "tactics": list(self.tactics),
        }


def logit(p: FloatArray) -> FloatArray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)), dtype=np.float64)


def _ranked(scores: FloatArray, names: Sequence[str], threshold: float) -> tuple[str, ...]:
    """The top label and every other label scoring at least ``threshold``, strongest first."""
    if len(names) == 0:
        return ()
    order = np.argsort(-scores, kind="stable")
    return tuple(names[int(j)] for k, j in enumerate(order) if k == 0 or scores[j] >= threshold)


PARTS = ("words", "techniques", "vulnerabilities")  # the parts that read text through a TfidfVectorizer
# the vectorizer settings that decide how text becomes tokens; when all three parts agree, text is analysed once
_ANALYSIS_PARAMS = (
    "analyzer",
    "decode_error",
    "encoding",
    "input",
    "lowercase",
    "ngram_range",
    "preprocessor",
    "stop_words",
    "strip_accents",
    "token_pattern",
    "tokenizer",
)


# dialogues on which the fast reading is checked against scikit-learn's own when a model is built or loaded
_PROBES = (
    "Person1: You never listen! You NEVER listen to me.\nPerson2: I do listen... I'm sorry, ok?",
    "Person1: Where were you last night?\nPerson2: Out. With friends. Why do you care?\nPerson1: Because I love you",
    "Alex: zzzq unknownword ?? !!\nSam:",
    "",
)


class _TfidfReader:
    """TF-IDF of already analysed tokens with a fitted vectorizer's vocabulary and idf: the counts of
    ``CountVectorizer`` and the weighting of ``TfidfTransformer`` (sublinear tf, idf, l2 norm), done on whole batches
    with array operations instead of a Python loop per token. Checked against the vectorizer on :data:`_PROBES`."""

    def __init__(self, vectorizer: Any) -> None:
        params = vectorizer.get_params()
        if params["binary"] or not params["use_idf"] or params["norm"] != "l2" or params["dtype"] is not np.float64:
            raise ValueError("a vectorizer setting the fast reading does not cover")
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.sublinear = bool(params["sublinear_tf"])

    def matrix(self, tokens: Sequence[list[str]]) -> Any:
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        flat = list(itertools.chain.from_iterable(tokens))
        columns = np.fromiter(map(self.vocabulary.get, flat, itertools.repeat(-1)), dtype=np.int64, count=len(flat))
        rows = np.repeat(np.arange(len(tokens), dtype=np.int64), lengths)
        known = columns >= 0
        counts = sparse.csr_matrix(
            (np.ones(int(known.sum()), dtype=np.float64), (rows[known], columns[known])),
            shape=(len(tokens), len(self.idf)),
            dtype=np.float64,
        )
        counts.sum_duplicates()
        counts.sort_indices()
        if self.sublinear:
            np.log(counts.data, counts.data)
            counts.data += 1.0
        counts.data *= self.idf[counts.indices]
        return normalize(counts, norm="l2", copy=False)


def _same_matrix(a: Any, b: Any) -> bool:
    a, b = sparse.csr_matrix(a), sparse.csr_matrix(b)
    return bool(
        a.shape == b.shape
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data, b.data)
    )


def _analysis(vectorizer: Any) -> dict[str, Any]:
    params = vectorizer.get_params()
    return {key: params.get(key) for key in _ANALYSIS_PARAMS}


@dataclass(frozen=True)
class MentalManipModel:
    """The fitted model and its decision thresholds. Build one with :func:`bondlens.learned.train`, or load the
    shipped one with :func:`load_model`."""

    words: Any  # Pipeline: TfidfVectorizer -> LogisticRegression
    stats: Any  # Pipeline: StandardScaler -> LogisticRegression, on speaker_features()
    combiner: Any  # LogisticRegression on [logit(words), logit(stats)]
    techniques: Any  # Pipeline: TfidfVectorizer -> OneVsRestClassifier(LogisticRegression)
    vulnerabilities: Any  # same, for vulnerabilities
    technique_names: tuple[str, ...]  # the techniques head's columns (techniques seen in training)
    vulnerability_names: tuple[str, ...]
    threshold: float  # manipulative when the combined probability is at least this
    technique_threshold: float
    vulnerability_threshold: float
    info: dict[str, str] = field(default_factory=dict)  # provenance: training data, task, sizes
    # the fast path: text analysed once for the three parts, read with _TfidfReader (identical numbers)
    _analyse: Any = field(init=False, repr=False, compare=False, default=None)
    _readers: dict[str, tuple[_TfidfReader, Any]] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        vectorizers = {part: getattr(self, part).steps[0][1] for part in PARTS}
        first = _analysis(vectorizers["words"])
        if any(_analysis(v) != first for v in vectorizers.values()):
            return  # parts that tokenise differently: each pipeline reads the text itself
        analyse = vectorizers["words"].build_analyzer()
        probe_tokens = [analyse(t) for t in _PROBES]
        readers: dict[str, tuple[_TfidfReader, Any]] = {}
        for part, vectorizer in vectorizers.items():
            try:
                reader = _TfidfReader(vectorizer)
            except (AttributeError, KeyError, ValueError):
                return
            if not _same_matrix(reader.matrix(probe_tokens), vectorizer.transform(list(_PROBES))):
                return  # another scikit-learn computes differently: keep to its own pipeline
            readers[part] = (reader, getattr(self, part).steps[-1][1])
        object.__setattr__(self, "_analyse", analyse)
        self._readers.update(readers)

    # -- scores ------------------------------------------------------------------------------------
    def tokens(self, texts: Sequence[str]) -> list[list[str]] | None:
        """The word 1-2-grams of each text (speakers renamed Person1, Person2 ...), computed once for every part;
        None if the parts tokenise differently."""
        if self._analyse is None:
            return None
        return [self._analyse(canonical_speakers(t)) for t in texts]

    def _proba(self, part: str, texts: Sequence[str], tokens: list[list[str]] | None) -> FloatArray:
        if tokens is None:
            docs = [canonical_speakers(t) for t in texts]
            return np.asarray(getattr(self, part).predict_proba(docs), dtype=np.float64)
        reader, classifier = self._readers[part]
        return np.asarray(classifier.predict_proba(reader.matrix(tokens)), dtype=np.float64)

    def scores(self, texts: Sequence[str], tokens: list[list[str]] | None = None) -> FloatArray:
        """Probability that each dialogue is manipulative (the stacked model). ``tokens``: from :meth:`tokens`."""
        if not texts:
            return np.zeros(0, dtype=np.float64)
        tokens = self.tokens(texts) if tokens is None else tokens
        words = self._proba("words", texts, tokens)[:, 1]
        stats = self.stats.predict_proba(speaker_features(texts))[:, 1]
        return np.asarray(self.combiner.predict_proba(logit(np.column_stack([words, stats])))[:, 1], dtype=np.float64)

    def technique_scores(self, texts: Sequence[str], tokens: list[list[str]] | None = None) -> FloatArray:
        """One column per name in :attr:`technique_names`."""
        if not texts:
            return np.zeros((0, len(self.technique_names)), dtype=np.float64)
        return self._proba("techniques", texts, self.tokens(texts) if tokens is None else tokens)

    def vulnerability_scores(self, texts: Sequence[str], tokens: list[list[str]] | None = None) -> FloatArray:
        """One column per name in :attr:`vulnerability_names`."""
        if not texts:
            return np.zeros((0, len(self.vulnerability_names)), dtype=np.float64)
        return self._proba("vulnerabilities", texts, self.tokens(texts) if tokens is None else tokens)

    # -- decisions ---------------------------------------------------------------------------------
    def predict(self, texts: Sequence[str], ids: Sequence[str | int | None] | None = None) -> list[Prediction]:
        """A :class:`Prediction` per dialogue, in order. The heads run only on the manipulative dialogues."""
        if ids is not None and len(ids) != len(texts):
            raise ValueError("ids and texts differ in length")
        tokens = self.tokens(texts)
        scores = np.round(self.scores(texts, tokens), SCORE_DECIMALS)
        manipulative = scores >= self.threshold
        rows = [int(i) for i in np.flatnonzero(manipulative)]
        flagged = [texts[i] for i in rows]
        flagged_tokens = None if tokens is None else [tokens[i] for i in rows]
        tech = self.technique_scores(flagged, flagged_tokens)
        vuln = self.vulnerability_scores(flagged, flagged_tokens)
        out: list[Prediction] = []
        row = 0
        for i, score in enumerate(scores):
            key = ids[i] if ids is not None else None
            if not manipulative[i]:
                out.append(Prediction(key, False, float(score)))
                continue
            techniques = _ranked(tech[row], self.technique_names, self.technique_threshold)
            vulnerabilities = _ranked(vuln[row], self.vulnerability_names, self.vulnerability_threshold)
            out.append(Prediction(key, True, float(score), techniques, vulnerabilities, tactics_for(techniques)))
            row += 1
        return out

    # -- files -------------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The model as a skops file whose bytes depend only on the model (no object ids, no timestamps).

        Each vectorizer's vocabulary is stored as one string of terms in index order rather than as skops's
        dict of tens of thousands of nodes: a file a third smaller that loads several times faster."""
        state: dict[str, Any] = {"format": MODEL_FORMAT, "stats": self.stats, "combiner": self.combiner}
        vocabularies: dict[str, str] = {}
        for part in PARTS:
            pipeline = copy.deepcopy(getattr(self, part))
            vectorizer = pipeline.steps[0][1]
            vocabularies[part] = _join_terms(vectorizer.vocabulary_)
            del vectorizer.vocabulary_
            state[part] = pipeline
        state.update(
            {
                "vocabularies": vocabularies,
                "technique_names": list(self.technique_names),
                "vulnerability_names": list(self.vulnerability_names),
                "threshold": float(self.threshold),
                "technique_threshold": float(self.technique_threshold),
                "vulnerability_threshold": float(self.vulnerability_threshold),
                "info": dict(sorted(self.info.items())),
            }
        )
        return _canonical_zip(sio.dumps(state))

    def save(self, path: str | Path) -> None:
        Path(path).write_bytes(self.to_bytes())


def _join_terms(vocabulary: dict[str, int]) -> str:
    terms = sorted(vocabulary, key=vocabulary.__getitem__)
    if [vocabulary[t] for t in terms] != list(range(len(terms))) or any("\n" in t for t in terms):
        raise ValueError("a vocabulary must map terms without line breaks onto 0, 1, 2, ...")
    return "\n".join(terms)


def _split_terms(joined: str) -> dict[str, int]:
    return {term: index for index, term in enumerate(joined.split("\n"))} if joined else {}


_ID_FILE = re.compile(r"^(\d+)\.npy$")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# fitted attributes that are caches holding a memory address; sklearn recomputes them when they are absent
VOLATILE_ATTRIBUTES = frozenset({"_stop_words_id"})


def _canonical_zip(raw: bytes) -> bytes:
    """Rewrite a skops archive reproducibly: object ids (memory addresses) renumbered 1, 2, ... in the order they
    appear in the schema, array files named after them, address-holding caches dropped, entries sorted, fixed
    timestamps, deflate level 9."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        schema = json.loads(archive.read("schema.json"))
        members = {name: archive.read(name) for name in archive.namelist() if name != "schema.json"}
    ids: dict[int, int] = {}

    def new_id(old: int) -> int:
        return ids.setdefault(old, len(ids) + 1)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            for key, value in node.items():
                if key in VOLATILE_ATTRIBUTES:
                    continue
                if key == "__id__" and isinstance(value, int):
                    out[key] = new_id(value)
                elif key == "file" and isinstance(value, str) and _ID_FILE.match(value):
                    out[key] = f"{new_id(int(value[:-4]))}.npy"
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    schema = walk(schema)
    renamed: dict[str, bytes] = {}
    for name, data in members.items():
        match = _ID_FILE.match(name)
        if not match or int(match[1]) not in ids:
            raise ValueError(f"unexpected member {name!r} in the skops archive")
        renamed[f"{ids[int(match[1])]}.npy"] = data
    renamed["schema.json"] = json.dumps(schema, separators=(",", ":")).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(renamed):
            entry = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, renamed[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def types_in(data: bytes) -> set[str]:
    """Every "module.Class" named in a skops file's schema (what loading it would construct)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        schema = json.loads(archive.read("schema.json"))
    found: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__class__" in node or "__module__" in node:
                found.add(f"{node.get('__module__')}.{node.get('__class__')}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def shipped_model_path() -> Path:
    """Where the model that ships inside the package lives."""
    return Path(str(resources.files("bondlens.learned").joinpath(MODEL_RESOURCE)))


def model_from_bytes(data: bytes, source: str | Path = "<bytes>") -> MentalManipModel:
    """Load a model saved by :meth:`MentalManipModel.to_bytes`, trusting only :data:`TRUSTED_TYPES`."""
    try:
        refused = sorted(types_in(data) - set(TRUSTED_TYPES))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ModelFileError(source, f"not a readable model file ({type(exc).__name__}: {exc})") from None
    if refused:
        raise ModelFileError(source, f"the model file holds types bondlens does not trust: {', '.join(refused)}")
    try:
        state = sio.load(io.BytesIO(data), trusted=list(TRUSTED_TYPES))
    except Exception as exc:  # skops raises zipfile, JSON and its own errors for a damaged or altered file
        raise ModelFileError(source, f"not a readable model file ({type(exc).__name__}: {exc})") from None
    if not isinstance(state, dict) or state.get("format") != MODEL_FORMAT:
        raise ModelFileError(source, f"not a bondlens model file (expected format {MODEL_FORMAT})")
    try:
        for part in PARTS:
            vectorizer = state[part].steps[0][1]
            vectorizer.vocabulary_ = _split_terms(str(state["vocabularies"][part]))
            if len(vectorizer.vocabulary_) != len(vectorizer.idf_):
                raise ValueError(f"the {part} vocabulary does not fit its weights")
        model = MentalManipModel(
            words=state["words"],
            stats=state["stats"],
            combiner=state["combiner"],
            techniques=state["techniques"],
            vulnerabilities=state["vulnerabilities"],
            technique_names=tuple(str(n) for n in state["technique_names"]),
            vulnerability_names=tuple(str(n) for n in state["vulnerability_names"]),
            threshold=float(state["threshold"]),
            technique_threshold=float(state["technique_threshold"]),
            vulnerability_threshold=float(state["vulnerability_threshold"]),
            info={str(k): str(v) for k, v in state.get("info", {}).items()},
        )
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(source, f"the model file lacks a part or does not fit together ({exc})") from None
    unknown = set(model.technique_names) - set(TECHNIQUES) | set(model.vulnerability_names) - set(VULNERABILITIES)
    if unknown:
        raise ModelFileError(source, f"unknown label names in the model: {', '.join(sorted(unknown))}")
    return model


def load_model(path: str | Path | None = None) -> MentalManipModel:
    """The model at ``path``, or the one shipped inside the package (loaded once, then reused). Offline."""
    if path is None:
        return _shipped()
    return _load_file(Path(path))


def _load_file(path: Path) -> MentalManipModel:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelFileError(path, f"cannot read the model file ({exc.strerror})") from None
    return model_from_bytes(data, path)


@cache
def _shipped() -> MentalManipModel:
    return _load_file(shipped_model_path())
