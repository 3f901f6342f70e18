"""The message-model detector: the model's probabilities become findings with an evidence sentence, the words
that weighed most, and the same modifiers the rules use (quotation, reported speech, negation, jokes...)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import resources
from itertools import repeat
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
import yaml
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from bondlens.detectors.messagemodel.model import FloatArray, MessageModel, WordWeight, load_message_model
from bondlens.detectors.messagemodel.text import TOKEN, normalise, sentence_spans
from bondlens.detectors.rules.engine import HARM_WINDOW_MESSAGES, HARM_WINDOW_TIME
from bondlens.detectors.rules.loader import load_rules
from bondlens.detectors.rules.modifiers import DEFAULTS, MODIFIERS, MatchSite
from bondlens.errors import BondlensError
from bondlens.model import Adjustment, Conversation, Explanation, Finding, Message, Span
from bondlens.taxonomy import SIGNS, TACTICS, labels

WORD = re.compile(r"\w+(?:['\u2019]\w+)*")  # a word as written, apostrophes included
CYCLE_LABEL = "reinforcement"
# "Deep gratitude for ordinary decency from the person who harms you" (taxonomy): thanks count as the sign only
# when the other person's words looked hurtful or controlling within this time before; otherwise a "thank you
# for dinner" is ordinary life, and a healthy couple's thanks would be flagged.
GRATITUDE_LABEL = "gratitude_small_kindness"
GRATITUDE_WINDOW_TIME = timedelta(days=14)
# An earlier message counts as harm (for "an apology right after harm") when its strongest harm label scores at
# least this share of that label's reporting threshold.
HARM_CONTEXT = 1.0
# "ok", "no", "thank you.", "I know": too few words for a word model to read anything into; the rules (which
# need exact wordings) still look at them.
MIN_WORDS = 3
# Finds a match exactly when WORD finds at least MIN_WORDS words: WORD's matches are the text's maximal runs of
# word characters joined by single apostrophes, with non-word characters between them; the atomic groups keep a
# run whole (without them "a'b" could pass for two words).
_ONE_WORD = r"(?>\w+(?:['\u2019]\w+)*)"
_ENOUGH_WORDS = re.compile(_ONE_WORD + r"(?:\W+" + _ONE_WORD + "){" + str(MIN_WORDS - 1) + "}")
BATCH = 2048
# The model already learned negation, questions and hedges from its examples; these are the modifiers whose
# signal lies outside the words it saw (quotation marks, someone else's words, banter markers).
MODEL_MODIFIERS = ("quotation", "reported_speech", "joke")


class _Features:
    """``model.features(texts)``, the same matrix to the bit, built without the vectoriser's per-document Python
    loop: each text's words are looked up once (``map``), and its word pairs (or longer n-grams) by their word
    numbers in sorted arrays (numpy) instead of joining and looking up strings. The TF-IDF weighting is the
    vectoriser's own. Vectorisers this does not know how to follow (another analyzer, stop words, a tokenizer,
    n-grams without their words in the vocabulary ...) go through ``model.features``."""

    MAX_KEY = 2**62  # n-gram keys are word numbers in base len(vocabulary); they must fit in an int64

    def __init__(self, model: MessageModel) -> None:
        self.model = model
        word = model.word
        params = word.get_params()
        vocabulary: dict[str, int] = word.vocabulary_
        self.size = len(vocabulary)
        low, high = params["ngram_range"]
        self.usable = (
            params["analyzer"] == "word"
            and params["input"] == "content"
            and params["tokenizer"] is None
            and params["token_pattern"] == TOKEN.pattern  # words without spaces: an n-gram splits back into words
            and params["stop_words"] is None
            and not params["binary"]
            and low == 1
            and hasattr(word, "_tfidf")
        )
        self.tables: list[tuple[int, NDArray[np.int64], NDArray[np.int64]]] = []  # (n, sorted keys, columns)
        if not self.usable:
            return
        self.preprocess = word.build_preprocessor()
        self.tokenize = word.build_tokenizer()
        self.lookup = vocabulary.get
        by_length: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for term, column in vocabulary.items():
            words = term.split(" ")
            if len(words) == 1:
                continue
            ids = [vocabulary.get(w) for w in words]
            if any(i is None for i in ids) or len(words) > high or self.size ** len(words) >= self.MAX_KEY:
                self.usable = False  # an n-gram whose words are not features: look them up as strings
                return
            key = 0
            for i in ids:
                assert i is not None
                key = key * self.size + i
            by_length[len(words)].append((key, column))
        for n in sorted(by_length):  # n-gram lengths the vocabulary lacks can never be found: not looked for
            pairs = np.array(sorted(by_length[n]), dtype=np.int64)
            self.tables.append((n, pairs[:, 0].copy(), pairs[:, 1].copy()))

    def __call__(self, texts: Sequence[str]) -> csr_matrix:
        """The features of each of ``texts``."""
        if not self.usable or not texts:
            return self.model.features(texts)
        numbers: list[int] = []  # every text's word numbers in turn, -1 for words outside the vocabulary
        lengths: list[int] = []
        for text in texts:
            found = self._numbers(text)
            numbers.extend(found)
            lengths.append(len(found))
        return self._matrix(numbers, lengths)

    def of_units(self, texts: Sequence[str], units: Sequence[list[tuple[int, int]]]) -> csr_matrix:
        """The features of every unit ``text[start:end]`` of every text in turn, ``units`` being ``_units`` of
        each text: ``self([...])`` of them. A text with several units (the whole text, then its sentences) has its
        words looked up once when it is ASCII: each sentence's words are a stretch of the whole text's (see
        ``_word_starts``)."""
        if not self.usable:
            return self.model.features([text[s:e] for text, spans in zip(texts, units, strict=True) for s, e in spans])
        numbers: list[int] = []
        lengths: list[int] = []
        for text, spans in zip(texts, units, strict=True):
            if len(spans) > 1 and text.isascii():
                (start, end), sentences = spans[0], spans[1:]
                whole = self._numbers(text[start:end])
                starts = _word_starts(text)
                if len(starts) == len(whole):
                    numbers.extend(whole)
                    lengths.append(len(whole))
                    for s, e in sentences:
                        first, last = bisect_left(starts, s), bisect_left(starts, e)
                        numbers.extend(whole[first:last])
                        lengths.append(last - first)
                    continue
            for s, e in spans:
                found = self._numbers(text[s:e])
                numbers.extend(found)
                lengths.append(len(found))
        return self._matrix(numbers, lengths)

    def _numbers(self, text: str) -> list[int]:
        """The vocabulary number of each word of ``text`` as the vectoriser splits it, -1 for unknown words."""
        return list(map(self.lookup, self.tokenize(self.preprocess(normalise(text))), repeat(-1)))

    def _matrix(self, numbers: list[int], lengths: list[int]) -> csr_matrix:
        """The TF-IDF matrix of texts whose word numbers are ``numbers``, ``lengths[i]`` of them for text i."""
        texts = len(lengths)
        ids = np.array(numbers, dtype=np.int64)
        rows = np.repeat(np.arange(texts, dtype=np.int64), lengths)
        known = ids >= 0
        found_rows = [rows[known]]
        found_columns = [ids[known]]
        for n, keys, columns in self.tables:
            if len(ids) < n:
                continue
            span = len(ids) - n + 1
            key = ids[:span].copy()
            valid = known[:span] & (rows[:span] == rows[n - 1 :])
            for k in range(1, n):
                key = key * self.size + ids[k : k + span]
                valid &= known[k : k + span]
            at = np.searchsorted(keys, key)
            at[at == len(keys)] = 0
            valid &= keys[at] == key
            found_rows.append(rows[:span][valid])
            found_columns.append(columns[at[valid]])
        cells, counts = np.unique(
            np.concatenate(found_rows) * self.size + np.concatenate(found_columns), return_counts=True
        )
        row_of = cells // self.size
        indptr = np.searchsorted(row_of, np.arange(texts + 1)).astype(np.int32)
        word = self.model.word
        # as CountVectorizer._count_vocab builds it, then TfidfVectorizer.transform weighs it
        counts = sp.csr_array(
            (counts.astype(np.intc), (cells % self.size).astype(np.int32), indptr),
            shape=(texts, self.size),
            dtype=word.dtype,
        )
        counts.sort_indices()
        return csr_matrix(word._tfidf.transform(counts, copy=False))


# In ASCII text, the vectoriser's words (of ``normalise``d text) are its runs of word characters, apostrophes and
# backticks that hold a word character: normalising drops the apostrophes and backticks (joining what they
# split), lower-cases and shortens stretched letters, all within a run.
_ASCII_WORD_RUN = re.compile(r"[\w'`]*\w[\w'`]*")


def _word_starts(text: str) -> list[int]:
    """Where each of the vectoriser's words of the ASCII ``text`` starts. No run crosses a sentence's edge (a
    sentence starts after whitespace, a line break or one of ".!?;" and ends before whitespace, a line break or
    the end, or just after one of ".!?;"), so a sentence's words are the runs starting inside it."""
    return [match.start() for match in _ASCII_WORD_RUN.finditer(text)]


class _FeatureRow(NamedTuple):
    """One row of a features matrix: what ``MessageModel.top_words`` reads of it (its columns and values), without
    building a one-row sparse matrix (``features[index]`` costs more than the rest of a finding)."""

    indices: NDArray[np.int32]
    data: NDArray[np.float32]


def _row(features: csr_matrix, index: int) -> _FeatureRow:
    """Row ``index`` of ``features``: the same columns and values as ``features[index]``."""
    start, end = features.indptr[index], features.indptr[index + 1]
    return _FeatureRow(features.indices[start:end], features.data[start:end])


@dataclass(frozen=True)
class _Hit:
    label: str
    score: float
    span: Span
    evidence: str
    words: tuple[WordWeight, ...]
    adjustments: tuple[Adjustment, ...]


class MessageModelDetector:
    """Per-message model for every tactic and sign; trained on bondlens's own labelled messages."""

    name = "messages"
    version = "1"
    labels: tuple[str, ...] = TACTICS + SIGNS

    def __init__(self, language: str = "en", model: MessageModel | None = None) -> None:
        self.language = language
        self.model = model if model is not None else load_message_model(language)
        self.words = load_rules(language).modifiers
        self.function_words = function_words(language)
        self._features = _Features(self.model)

    def detect(self, conversation: Conversation, *, me: str | None = None) -> list[Finding]:
        messages = [m for m in conversation.messages if not m.is_system and _readable(m.text)]
        findings: list[Finding] = []
        recent_harm: dict[str | None, deque[tuple[int, Message, str]]] = defaultdict(
            lambda: deque(maxlen=HARM_WINDOW_MESSAGES)
        )
        labels = self.model.labels
        thresholds = np.array([self.model.threshold(label) for label in labels], dtype=np.float64)
        harm_columns = np.array([self.model.index[label] for label in TACTICS if label != CYCLE_LABEL])
        cycle_column = self.model.index[CYCLE_LABEL]
        gratitude_column = self.model.index[GRATITUDE_LABEL]
        last_harm: dict[str | None, tuple[Message, str]] = {}  # each sender's latest harmful-looking message
        for first in range(0, len(messages), BATCH):
            batch = messages[first : first + BATCH]
            units = [_units(m.text) for m in batch]
            features = self._features.of_units([m.text for m in batch], units)
            probabilities = self.model.probabilities_of(features)
            starts = np.cumsum([0, *(len(u) for u in units[:-1])])
            scores = np.maximum.reduceat(probabilities, starts, axis=0)  # a message scores its strongest part
            over = scores >= thresholds
            relative = scores[:, harm_columns] / thresholds[harm_columns]
            strongest = relative.argmax(axis=1)
            harmful = relative[np.arange(len(batch)), strongest] >= HARM_CONTEXT
            for offset in np.flatnonzero(harmful | over.any(axis=1)):
                message = batch[offset]
                position = first + int(offset)
                allowed = self._allowed(message, me)
                for column in np.flatnonzero(over[offset]):
                    label = labels[column]
                    if label not in allowed:
                        continue
                    context: Adjustment | None = None
                    if column == cycle_column:
                        harm = self._harm_before(recent_harm[message.sender], position, message)
                        if harm is None:
                            continue  # an apology or tenderness outside a cycle is ordinary life
                        context = Adjustment(
                            "cycle_context",
                            1.0,
                            f"it follows hurtful or controlling words by the same person in message {harm[0]} "
                            f"({harm[1]})",
                        )
                    elif column == gratitude_column:
                        harm = self._harm_by_another(last_harm, message)
                        if harm is None:
                            continue  # thanks with no hurtful words from the other person before are ordinary
                        context = Adjustment(
                            "cycle_context",
                            1.0,
                            f"it thanks someone whose words looked hurtful or controlling in message {harm[0]} "
                            f"({harm[1]}), within {GRATITUDE_WINDOW_TIME.days} days before",
                        )
                    at = int(starts[offset])
                    best = int(probabilities[at : at + len(units[offset]), column].argmax())
                    span = units[offset][best]
                    score = float(scores[offset, column])
                    hit = self._hit(message.text, _row(features, at + best), label, score, span, context)
                    if hit is not None:
                        findings.append(self._finding(message, hit))
                if harmful[offset]:
                    harm_label = labels[harm_columns[strongest[offset]]]
                    recent_harm[message.sender].append((position, message, harm_label))
                    last_harm[message.sender] = (message, harm_label)
        return findings

    def message_scores(self, texts: list[str]) -> FloatArray:
        """Each text's score per label as ``detect`` computes it (the best of the whole message and its
        sentences); zero for texts too short to score. Used to choose the thresholds."""
        scores = np.zeros((len(texts), len(self.model.labels)), dtype=np.float32)
        readable = [i for i, text in enumerate(texts) if _readable(text)]
        units = [_units(texts[i]) for i in readable]
        flat = [texts[i][s:e] for i, spans in zip(readable, units, strict=True) for s, e in spans]
        probabilities = self.model.probabilities_of(self._features(flat)) if flat else self.model.probabilities(flat)
        at = 0
        for i, spans in zip(readable, units, strict=True):
            scores[i] = probabilities[at : at + len(spans)].max(axis=0)
            at += len(spans)
        return scores

    def _allowed(self, message: Message, me: str | None) -> tuple[str, ...]:
        if me is None:
            return self.labels
        return SIGNS if message.sender == me else TACTICS

    @staticmethod
    def _harm_before(
        history: deque[tuple[int, Message, str]], position: int, message: Message
    ) -> tuple[int, str] | None:
        for past_position, past, label in reversed(history):
            if position - past_position > HARM_WINDOW_MESSAGES:
                break
            if message.timestamp - past.timestamp <= HARM_WINDOW_TIME:
                return past.id, label
        return None

    @staticmethod
    def _harm_by_another(last_harm: dict[str | None, tuple[Message, str]], message: Message) -> tuple[int, str] | None:
        """The latest harmful-looking message by someone other than the sender, if it is recent enough."""
        earlier = [
            (past, label)
            for sender, (past, label) in last_harm.items()
            if sender != message.sender and message.timestamp - past.timestamp <= GRATITUDE_WINDOW_TIME
        ]
        if not earlier:
            return None
        past, label = max(earlier, key=lambda pair: pair[0].timestamp)
        return past.id, label

    def _hit(
        self,
        text: str,
        features: _FeatureRow,
        label: str,
        score: float,
        span: tuple[int, int],
        context: Adjustment | None,
    ) -> _Hit | None:
        start, end = span
        evidence = text[start:end]
        words = tuple(self.model.top_words(features, label, within=evidence))
        if not any(word not in self.function_words for w in words for word in w.term.split()):
            return None  # only "you're", "so", "the" weighed: nothing in the words themselves to point at
        site = self._site(text, start, end, words)
        label_set = "tactic" if label in TACTICS else "sign"
        adjustments: list[Adjustment] = []
        for name in MODEL_MODIFIERS:
            if name not in DEFAULTS[label_set]:
                continue
            adjustment = MODIFIERS[name](site, self.words, self.words.factors[name])
            if adjustment is not None:
                adjustments.append(adjustment)
                score *= adjustment.factor
        if score < self.model.threshold(label):
            return None
        if context is not None:
            adjustments.append(context)
        return _Hit(label, round(score, 4), Span(start, end), evidence, words, tuple(adjustments))

    @staticmethod
    def _site(text: str, start: int, end: int, words: tuple[WordWeight, ...]) -> MatchSite:
        """Where the strongest word sits in the evidence sentence (so 'he said ...' before it is seen)."""
        if words:
            first = words[0].term.split()[0]
            for token in WORD.finditer(text, start, end):
                if normalise(token[0]) == first:
                    return MatchSite(text, token.start(), token.end(), start, end)
        return MatchSite(text, start, end, start, end)

    def _finding(self, message: Message, hit: _Hit) -> Finding:
        tokens = list(WORD.finditer(hit.evidence))
        normal = [normalise(t[0]) for t in tokens]
        written = (_as_written(hit.evidence, w.term, tokens, normal) for w in hit.words)
        said = ", ".join(f"'{w}'" for w in written) or "the wording as a whole"
        summary = (
            f"Worded like the {labels()[hit.label].name.lower()} messages the message model learned from "
            f"(score {hit.score:.2f}); the words that weighed most: {said}."
        )
        return Finding(
            detector=f"{self.name}.v{self.version}",
            label=hit.label,
            label_set="tactic" if hit.label in TACTICS else "sign",
            message_id=message.id,
            sender=message.sender,
            span=hit.span,
            evidence=hit.evidence,
            score=hit.score,
            explanation=Explanation(
                summary=summary,
                rule_id=f"model.{hit.label}",
                matched=hit.evidence,
                base_score=hit.score,
                adjustments=hit.adjustments,
                source=(
                    f"bondlens message model v{self.model.info.version}, trained on "
                    f"{self.model.info.training_messages} labelled messages"
                ),
            ),
        )


@cache
def function_words(language: str) -> frozenset[str]:
    """Closed-class words (pronouns, articles, auxiliaries ...) from ``data/<language>.yaml``."""
    node = resources.files("bondlens.detectors.messagemodel").joinpath("data", f"{language}.yaml")
    if not node.is_file():
        raise BondlensError(f"no function-word list for language {language!r}")
    data = yaml.safe_load(node.read_text(encoding="utf-8"))
    return frozenset(normalise(str(w)) for w in data["function_words"])


def _words(text: str) -> int:
    return len(WORD.findall(text))


def _readable(text: str) -> bool:
    """``_words(text) >= MIN_WORDS``, without listing the words."""
    return _ENOUGH_WORDS.search(text) is not None


_SENTENCE_BREAK = re.compile(r"[.!?\n;]")  # what ends a sentence (see text.sentence_spans)


def _units(text: str) -> list[tuple[int, int]]:
    """What is scored: the whole message (trimmed), and each of its sentences when it has several long enough
    to read (so one hurtful sentence among ordinary ones is not diluted)."""
    stripped = text.strip()
    start = text.find(stripped)
    spans = [(start, start + len(stripped))]
    if _SENTENCE_BREAK.search(text) is None:
        return spans  # no sentence break: one sentence
    found = sentence_spans(text)
    if len(found) < 2:
        return spans  # one sentence at most: the whole message is all there is to score
    sentences = [(s, e) for s, e in found if _readable(text[s:e])]
    if len(sentences) > 1:
        spans.extend(sentences)
    return spans


def _as_written(
    evidence: str, term: str, tokens: list[re.Match[str]] | None = None, normal: list[str] | None = None
) -> str:
    """A model term ("youre a") as the message wrote it ("you're a"), when it can be found there. ``tokens`` and
    ``normal``: the evidence's words and their normal forms, when the caller has them already."""
    wanted = term.split()
    if tokens is None or normal is None:
        tokens = list(WORD.finditer(evidence))
        normal = [normalise(t[0]) for t in tokens]
    for i in range(len(tokens) - len(wanted) + 1):
        if normal[i : i + len(wanted)] == wanted:
            return evidence[tokens[i].start() : tokens[i + len(wanted) - 1].end()]
    return term
