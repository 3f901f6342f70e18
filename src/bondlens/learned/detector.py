"""``mentalmanip.v1``: the learned model as a bondlens detector, scoring sliding windows of a conversation.

The model reads dialogues, not single messages, so the conversation is cut into windows of :data:`WINDOW`
consecutive messages (one every :data:`STRIDE` messages), each written as "Name: text" lines with the senders
renamed Person1, Person2 ... as in the training data. Only a window scoring well above the model's threshold
(:data:`FINDING_THRESHOLD`) yields a finding, and at most one:

- whose: the sender who presses hardest in the window (second person, imperatives, questions, insults per turn:
  the model's own "likelier manipulator" ordering), never ``me`` (a tactic is looked for in the others' messages);
- which message: that sender's message whose removal lowers the window's score the most (at least
  :data:`MIN_DROP`; otherwise no finding);
- which label: the strongest technique the technique head reads in that message on its own, mapped onto its
  bondlens tactic family (the window's own techniques are named in the explanation).

A message gets at most one finding (the strongest window wins). The evidence is the whole message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bondlens.learned.features import pressure, speaker_stats
from bondlens.learned.labels import FINDING_TACTICS, TECHNIQUE_TACTICS
from bondlens.learned.model import MentalManipModel, load_model
from bondlens.model import Conversation, Explanation, Finding, Message, Span

WINDOW = 8  # messages per window (MentalManip dialogues: median 5 turns, 90 % between 2 and 16)
STRIDE = 4  # windows overlap by half, so every message is read with context on both sides
# Findings only from windows scoring at least this (the model's own threshold is 0.6205). On MentalManip's con
# validation portion, 96 % of the dialogues scoring >= 0.90 are manipulative and 1.4 % of the non-manipulative
# ones reach it (recall there is 14 %: the detector is meant to be sparing).
FINDING_THRESHOLD = 0.90
MIN_DROP = 0.05  # the chosen message must lower the window's score by at least this much when left out
SOURCE = "MentalManip (Wang et al., ACL 2024): film and TV dialogue, CC BY-NC 4.0"


@dataclass(frozen=True, slots=True)
class _Window:
    messages: tuple[Message, ...]
    text: str


def dialogue_text(messages: Sequence[Message]) -> str:
    """The messages as "PersonN: text" lines (one line each), speakers numbered in order of appearance."""
    speakers: dict[str | None, str] = {}
    lines = []
    for message in messages:
        speaker = speakers.setdefault(message.sender, f"Person{len(speakers) + 1}")
        lines.append(f"{speaker}: {' '.join(message.text.split())}")
    return "\n".join(lines)


def windows(messages: Sequence[Message], size: int = WINDOW, stride: int = STRIDE) -> list[tuple[Message, ...]]:
    """Runs of ``size`` consecutive messages every ``stride`` messages; the last one ends at the last message."""
    if not messages:
        return []
    if len(messages) <= size:
        return [tuple(messages)]
    starts = list(range(0, len(messages) - size + 1, stride))
    if starts[-1] != len(messages) - size:
        starts.append(len(messages) - size)
    return [tuple(messages[s : s + size]) for s in starts]


def _actor(messages: Sequence[Message], me: str | None) -> str | None:
    """The sender (not ``me``) who presses hardest in ``messages``; None when there is nobody but ``me``."""
    by_sender: dict[str, list[str]] = {}
    for message in messages:
        if message.sender is not None and message.sender != me:
            by_sender.setdefault(message.sender, []).append(" ".join(message.text.split()))
    if not by_sender:
        return None
    ranked = sorted(by_sender.items(), key=lambda kv: -pressure(speaker_stats(kv[1], len(messages))))
    return ranked[0][0]


class MentalManipDetector:
    """A statistical model trained on film and TV dialogue (MentalManip), read over sliding message windows."""

    name = "mentalmanip"
    version = "1"
    labels: tuple[str, ...] = FINDING_TACTICS

    def __init__(self, model: MentalManipModel | None = None, threshold: float = FINDING_THRESHOLD) -> None:
        self._model = model
        self.threshold = threshold

    @property
    def model(self) -> MentalManipModel:
        if self._model is None:
            self._model = load_model()
        return self._model

    def detect(self, conversation: Conversation, *, me: str | None = None) -> list[Finding]:
        readable = [m for m in conversation.messages if not m.is_system and m.text.strip()]
        cut = [_Window(w, dialogue_text(w)) for w in windows(readable)]
        cut = [w for w in cut if any(m.sender is not None and m.sender != me for m in w.messages)]
        if not cut:
            return []
        scores = self.model.scores([w.text for w in cut])
        best: dict[int, Finding] = {}
        for window, score in zip(cut, scores, strict=True):
            if score < self.threshold:
                continue
            finding = self._finding(window, float(score), me)
            if finding is not None:
                kept = best.get(finding.message_id)
                if kept is None or finding.score > kept.score:
                    best[finding.message_id] = finding
        return [best[k] for k in sorted(best)]

    def _finding(self, window: _Window, score: float, me: str | None) -> Finding | None:
        model = self.model
        actor = _actor(window.messages, me)
        candidates = [i for i, m in enumerate(window.messages) if m.sender == actor and actor is not None]
        if not candidates:
            return None
        reduced = [dialogue_text(window.messages[:i] + window.messages[i + 1 :]) for i in candidates]
        without = model.scores(reduced)
        drops = [score - float(s) for s in without]
        pick = max(range(len(candidates)), key=lambda k: (drops[k], -k))
        if drops[pick] < MIN_DROP:
            return None
        message = window.messages[candidates[pick]]
        technique, predicted = self._technique(window.text, message)
        start = len(message.text) - len(message.text.lstrip())
        end = len(message.text.rstrip())
        evidence = message.text[start:end]
        first, last = window.messages[0].timestamp, window.messages[-1].timestamp
        summary = (
            "A statistical model trained on film and TV dialogue (not on real chats) read the "
            f"{len(window.messages)} messages from {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} as manipulative, "
            f"score {score:.2f} (findings from {self.threshold:.2f}; the model's own threshold is "
            f"{model.threshold:.2f}). This message weighs most: without it the score is "
            f"{score - drops[pick]:.2f}. Techniques predicted for these messages: {', '.join(predicted)}; in this "
            f"message alone: {technique}."
        )
        return Finding(
            detector=f"{self.name}.v{self.version}",
            label=TECHNIQUE_TACTICS[technique][0],
            label_set="tactic",
            message_id=message.id,
            sender=message.sender,
            span=Span(start, end),
            evidence=evidence,
            score=round(score, 4),
            explanation=Explanation(
                summary=summary,
                rule_id=f"{self.name}.v{self.version}",
                matched=evidence,
                base_score=round(score, 4),
                source=SOURCE,
            ),
        )

    def _technique(self, window_text: str, message: Message) -> tuple[str, list[str]]:
        """The technique the technique head reads in ``message`` on its own (its strongest), and the techniques
        it predicts for the whole window (strongest first)."""
        model = self.model
        both = model.technique_scores([window_text, dialogue_text([message])])
        names = model.technique_names
        order = sorted(range(len(names)), key=lambda j: (-both[0][j], j))
        predicted = [names[j] for k, j in enumerate(order) if k == 0 or both[0][j] >= model.technique_threshold]
        alone = max(range(len(names)), key=lambda j: (both[1][j], -j))
        return names[alone], predicted
