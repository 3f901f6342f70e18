"""The message-model detector: the model's probabilities become findings with an evidence sentence, the words
that weighed most, and the same modifiers the rules use (quotation, reported speech, negation, jokes...)."""

from __future__ import annotations

import re
from collections import defaultdict, deque
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import yaml
from scipy.sparse import csr_matrix

from bondlens.detectors.messagemodel.model import FloatArray, MessageModel, WordWeight, load_message_model
from bondlens.detectors.messagemodel.text import normalise, sentence_spans
from bondlens.detectors.rules.engine import HARM_WINDOW_MESSAGES, HARM_WINDOW_TIME
from bondlens.detectors.rules.loader import load_rules
from bondlens.detectors.rules.modifiers import DEFAULTS, MODIFIERS, MatchSite
from bondlens.errors import BondlensError
from bondlens.model import Adjustment, Conversation, Explanation, Finding, Message, Span
from bondlens.taxonomy import SIGNS, TACTICS, labels

WORD = re.compile(r"\w+(?:['\u2019]\w+)*")  # a word as written, apostrophes included
CYCLE_LABEL = "reinforcement"
# An earlier message counts as harm (for "an apology right after harm") when its strongest harm label scores at
# least this share of that label's reporting threshold.
HARM_CONTEXT = 1.0
# "ok", "no", "thank you.", "I know": too few words for a word model to read anything into; the rules (which
# need exact wordings) still look at them.
MIN_WORDS = 3
BATCH = 2048
# The model already learned negation, questions and hedges from its examples; these are the modifiers whose
# signal lies outside the words it saw (quotation marks, someone else's words, banter markers).
MODEL_MODIFIERS = ("quotation", "reported_speech", "joke")


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

    def detect(self, conversation: Conversation, *, me: str | None = None) -> list[Finding]:
        messages = [m for m in conversation.messages if not m.is_system and _words(m.text) >= MIN_WORDS]
        findings: list[Finding] = []
        recent_harm: dict[str | None, deque[tuple[int, Message, str]]] = defaultdict(
            lambda: deque(maxlen=HARM_WINDOW_MESSAGES)
        )
        labels = self.model.labels
        thresholds = np.array([self.model.threshold(label) for label in labels], dtype=np.float64)
        harm_columns = np.array([self.model.index[label] for label in TACTICS if label != CYCLE_LABEL])
        cycle_column = self.model.index[CYCLE_LABEL]
        for first in range(0, len(messages), BATCH):
            batch = messages[first : first + BATCH]
            units = [_units(m.text) for m in batch]
            flat = [m.text[s:e] for m, spans in zip(batch, units, strict=True) for s, e in spans]
            features = self.model.features(flat)
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
                    at = int(starts[offset])
                    best = int(probabilities[at : at + len(units[offset]), column].argmax())
                    span = units[offset][best]
                    score = float(scores[offset, column])
                    hit = self._hit(message.text, features[at + best], label, score, span, context)
                    if hit is not None:
                        findings.append(self._finding(message, hit))
                if harmful[offset]:
                    harm_label = labels[harm_columns[strongest[offset]]]
                    recent_harm[message.sender].append((position, message, harm_label))
        return findings

    def message_scores(self, texts: list[str]) -> FloatArray:
        """Each text's score per label as ``detect`` computes it (the best of the whole message and its
        sentences); zero for texts too short to score. Used to choose the thresholds."""
        scores = np.zeros((len(texts), len(self.model.labels)), dtype=np.float32)
        readable = [i for i, text in enumerate(texts) if _words(text) >= MIN_WORDS]
        units = [_units(texts[i]) for i in readable]
        flat = [texts[i][s:e] for i, spans in zip(readable, units, strict=True) for s, e in spans]
        probabilities = self.model.probabilities(flat)
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

    def _hit(
        self,
        text: str,
        features: csr_matrix,
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
        said = ", ".join(f"'{_as_written(hit.evidence, w.term)}'" for w in hit.words) or "the wording as a whole"
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


def _units(text: str) -> list[tuple[int, int]]:
    """What is scored: the whole message (trimmed), and each of its sentences when it has several long enough
    to read (so one hurtful sentence among ordinary ones is not diluted)."""
    stripped = text.strip()
    start = text.find(stripped)
    spans = [(start, start + len(stripped))]
    sentences = [(s, e) for s, e in sentence_spans(text) if _words(text[s:e]) >= MIN_WORDS]
    if len(sentences) > 1:
        spans.extend(sentences)
    return spans


def _as_written(evidence: str, term: str) -> str:
    """A model term ("youre a") as the message wrote it ("you're a"), when it can be found there."""
    wanted = term.split()
    tokens = list(WORD.finditer(evidence))
    normal = [normalise(t[0]) for t in tokens]
    for i in range(len(tokens) - len(wanted) + 1):
        if normal[i : i + len(wanted)] == wanted:
            return evidence[tokens[i].start() : tokens[i + len(wanted) - 1].end()]
    return term
