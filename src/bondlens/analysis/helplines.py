"""Emergency numbers and hotlines, read from ``data/helplines.yaml`` (with its source and last-checked date)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True, slots=True)
class Emergency:
    region: str
    number: str


@dataclass(frozen=True, slots=True)
class Hotline:
    name: str
    region: str
    contact: str
    source: str


@dataclass(frozen=True, slots=True)
class Helplines:
    emergency: tuple[Emergency, ...]
    hotlines: tuple[Hotline, ...]
    last_checked: str
    checked_how: str


@cache
def helplines() -> Helplines:
    text = resources.files("bondlens.analysis").joinpath("data/helplines.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return Helplines(
        emergency=tuple(Emergency(str(e["region"]), str(e["number"])) for e in data["emergency"]),
        hotlines=tuple(
            Hotline(str(h["name"]), str(h["region"]), str(h["contact"]), str(h["source"])) for h in data["hotlines"]
        ),
        last_checked=str(data["last_checked"]),
        checked_how=" ".join(str(data["checked_how"]).split()),
    )
