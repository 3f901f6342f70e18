"""The questionnaire, read from ``data/items.yaml``: items, answer scale, indication bands and safety notes.

Every item asks about one sign of the taxonomy (or about the cycle itself, a group defined in the data file)
and names its source. The file is checked when it is read, so a broken edit fails loudly in the tests."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from bondlens.taxonomy import labels


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    sign: str  # a taxonomy sign id, or a group id from the data file ("cycle")
    question: str
    source: str


@dataclass(frozen=True, slots=True)
class Choice:
    value: int
    text: str


@dataclass(frozen=True, slots=True)
class Group:
    """What an item can ask about: a sign of the taxonomy or a group of the data file."""

    id: str
    name: str
    definition: str


@dataclass(frozen=True, slots=True)
class Band:
    id: str
    name: str
    min_share: float | None  # None: the band for "too few answers"
    min_strong_signs: int | None
    summary: str
    may_mean: tuple[str, ...]
    does_not_mean: tuple[str, ...]
    help: str


@dataclass(frozen=True, slots=True)
class Alert:
    sign: str
    text: str


@dataclass(frozen=True, slots=True)
class Questionnaire:
    items: tuple[Item, ...]
    scale: tuple[Choice, ...]
    skip_text: str
    intro: str
    groups: dict[str, Group]  # by id, in the order the items ask about them
    bands: tuple[Band, ...]  # lowest first; the first is the "too few answers" band
    not_meaning: tuple[str, ...]
    alerts: tuple[Alert, ...]
    min_answered: int
    strong_at: float
    weighs_at: float
    scoring_source: str
    not_validated: str

    @property
    def max_answer(self) -> int:
        return self.scale[-1].value

    def answer_text(self, value: int) -> str:
        return next(c.text for c in self.scale if c.value == value)

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)


def _text(value: Any) -> str:
    return " ".join(str(value).split())


def parse(data: dict[str, Any]) -> Questionnaire:
    """A questionnaire from the parsed data file; ``ValueError`` naming what is wrong."""
    taxonomy = {label.id: label for label in labels().values() if label.label_set == "sign"}
    extra = {str(g["id"]): Group(str(g["id"]), _text(g["name"]), _text(g["definition"])) for g in data["groups"]}
    for group in data["groups"]:
        if not _text(group.get("source", "")):
            raise ValueError(f"group {group['id']!r} has no source")
    items = []
    for raw in data["items"]:
        item = Item(str(raw["id"]), str(raw["sign"]), _text(raw["question"]), _text(raw.get("source", "")))
        if item.sign not in taxonomy and item.sign not in extra:
            raise ValueError(f"item {item.id!r}: {item.sign!r} is neither a taxonomy sign nor a group")
        if not item.source:
            raise ValueError(f"item {item.id!r} has no source")
        items.append(item)
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise ValueError("item ids are not unique")
    groups: dict[str, Group] = {}
    for item in items:
        if item.sign not in groups:
            known = taxonomy.get(item.sign)
            groups[item.sign] = Group(known.id, known.name, known.definition) if known is not None else extra[item.sign]
    scale = tuple(Choice(int(c["value"]), _text(c["text"])) for c in data["scale"])
    if [c.value for c in scale] != list(range(len(scale))):
        raise ValueError("the scale must count 0, 1, 2 ...")
    bands = tuple(
        Band(
            id=str(b["id"]),
            name=_text(b["name"]),
            min_share=None if b["min_share"] is None else float(b["min_share"]),
            min_strong_signs=None if b["min_strong_signs"] is None else int(b["min_strong_signs"]),
            summary=_text(b["summary"]),
            may_mean=tuple(_text(t) for t in b["may_mean"]),
            does_not_mean=tuple(_text(t) for t in b["does_not_mean"]),
            help=_text(b["help"]),
        )
        for b in data["bands"]
    )
    if bands[0].min_share is not None or any(b.min_share is None for b in bands[1:]):
        raise ValueError('the first band, and only it, is the "too few answers" band (min_share: null)')
    if bands[1].min_share != 0.0 or bands[1].min_strong_signs != 0:
        raise ValueError("the lowest scored band must start at 0")
    alerts = tuple(Alert(str(a["sign"]), _text(a["text"])) for a in data.get("alerts", ()))
    for alert in alerts:
        if alert.sign not in groups:
            raise ValueError(f"alert for {alert.sign!r}: no item asks about it")
    scoring = data["scoring"]
    if not _text(scoring.get("source", "")):
        raise ValueError("the scoring has no source")
    return Questionnaire(
        items=tuple(items),
        scale=scale,
        skip_text=_text(data["skip_text"]),
        intro=_text(data["intro"]),
        groups=groups,
        bands=bands,
        not_meaning=tuple(_text(t) for t in data["not_meaning"]),
        alerts=alerts,
        min_answered=int(scoring["min_answered"]),
        strong_at=float(scoring["strong_at"]),
        weighs_at=float(scoring["weighs_at"]),
        scoring_source=_text(scoring["source"]),
        not_validated=_text(scoring["not_validated"]),
    )


@cache
def questionnaire() -> Questionnaire:
    """The questionnaire shipped with bondlens."""
    text = resources.files("bondlens.selfcheck").joinpath("data/items.yaml").read_text(encoding="utf-8")
    return parse(yaml.safe_load(text))
