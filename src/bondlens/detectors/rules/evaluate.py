"""Measuring a detector on labelled messages: per-label precision and recall.

An evaluation item is one message with the messages before it (its context) and the labels it carries.
Each item becomes a small conversation between "me" and "them", the detector runs on it, and only the
findings on the last message count.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bondlens.detectors.base import Detector
from bondlens.errors import BondlensError
from bondlens.importers.base import ConversationBuilder
from bondlens.model import Conversation, SourceFile

ME, THEM = "me", "them"
_EVAL_SOURCE = SourceFile(path="<evaluation>", sha256="0" * 64, size=0)
_START = datetime(2026, 1, 5, 19, 0)


@dataclass(frozen=True)
class EvalItem:
    id: str
    sender: str
    text: str
    labels: frozenset[str]
    context: tuple[tuple[str, str], ...] = ()
    split: str = "test"
    note: str = ""


@dataclass
class LabelScore:
    label: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


def load_items(paths: Iterable[Path], split: str | None = None) -> list[EvalItem]:
    """Read evaluation JSONL files; ``split`` keeps only "dev" or "test" items."""
    items: list[EvalItem] = []
    for path in sorted(paths):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                item = EvalItem(
                    id=raw["id"],
                    sender=raw["sender"],
                    text=raw["text"],
                    labels=frozenset(raw["labels"]),
                    context=tuple((c["sender"], c["text"]) for c in raw.get("context", [])),
                    split=raw.get("split", "test"),
                    note=raw.get("note", ""),
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise BondlensError(f"{path}:{number}: not an evaluation item ({exc})") from None
            if split is None or item.split == split:
                items.append(item)
    return items


def conversation_for(context: Sequence[tuple[str, str]], sender: str, text: str) -> Conversation:
    """A small conversation: the context messages, then the message under test (last)."""
    builder = ConversationBuilder("evaluation", _EVAL_SOURCE, naive_timestamps=True)
    builder.participant(ME, "Me")
    builder.participant(THEM, "Them")
    for offset, (who, said) in enumerate([*context, (sender, text)]):
        builder.add(_START + timedelta(minutes=3 * offset), who, said, source_line=offset + 1)
    return builder.build()


def predicted_labels(detectors: Detector | Sequence[Detector], item: EvalItem) -> set[str]:
    """Labels found on the item's own message (the last one) by one detector or several together."""
    chosen = [detectors] if isinstance(detectors, Detector) else list(detectors)
    conversation = conversation_for(item.context, item.sender, item.text)
    last = conversation.messages[-1].id
    return {f.label for d in chosen for f in d.detect(conversation, me=ME) if f.message_id == last}


def evaluate(
    detectors: Detector | Sequence[Detector], items: Sequence[EvalItem], labels: Sequence[str]
) -> dict[str, LabelScore]:
    scores = {label: LabelScore(label) for label in labels}
    for item in items:
        predicted = predicted_labels(detectors, item)
        for label in labels:
            gold = label in item.labels
            hit = label in predicted
            score = scores[label]
            if gold and hit:
                score.tp += 1
            elif hit:
                score.fp += 1
                score.false_positives.append(f"{item.id}: {item.text}")
            elif gold:
                score.fn += 1
                score.false_negatives.append(f"{item.id}: {item.text}")
    return scores
