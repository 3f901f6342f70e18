"""The label sets (tactic, sign, stage): ids, names and definitions, read from ``data/taxonomy.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True, slots=True)
class Label:
    id: str
    label_set: str
    name: str
    definition: str


@cache
def labels() -> dict[str, Label]:
    """Every label by id (ids are unique across sets)."""
    text = resources.files("bondlens").joinpath("data/taxonomy.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    found: dict[str, Label] = {}
    for label_set in ("tactic", "sign", "stage"):
        for item in data[label_set]:
            found[item["id"]] = Label(item["id"], label_set, item["name"], item["definition"])
    return found


def label_ids(label_set: str) -> tuple[str, ...]:
    return tuple(label.id for label in labels().values() if label.label_set == label_set)


TACTICS: tuple[str, ...] = label_ids("tactic")
SIGNS: tuple[str, ...] = label_ids("sign")
STAGES: tuple[str, ...] = label_ids("stage")
