"""Detectors by name. Built-ins and third-party detectors register the same way: the entry-point group
``bondlens.detectors``, each entry naming a class (or factory) that takes no arguments."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points

from bondlens.detectors.base import Detector
from bondlens.errors import BondlensError

GROUP = "bondlens.detectors"


@dataclass(frozen=True)
class DetectorEntry:
    name: str
    target: str  # "module:attribute" as the entry point gives it
    distribution: str | None


@cache
def detector_entries() -> dict[str, DetectorEntry]:
    found: dict[str, DetectorEntry] = {}
    for ep in entry_points(group=GROUP):
        dist = ep.dist.name if ep.dist is not None else None
        found[ep.name] = DetectorEntry(ep.name, ep.value, dist)
    return found


def load_detector(name: str) -> Detector:
    """Instantiate a registered detector by its entry-point name (e.g. ``rules.v1``) or bare name (``rules``)."""
    entries = {ep.name: ep for ep in entry_points(group=GROUP)}
    match = entries.get(name) or next((ep for n, ep in entries.items() if n.split(".")[0] == name), None)
    if match is None:
        known = ", ".join(sorted(entries)) or "none"
        raise BondlensError(f"unknown detector {name!r}; installed detectors: {known}")
    factory = match.load()
    detector = factory()
    if not isinstance(detector, Detector):
        raise BondlensError(f"detector {name!r} ({match.value}) does not provide name, version, labels and detect()")
    return detector


def default_detectors() -> list[Detector]:
    """What `bondlens detect` runs when no detector is named: the built-in rules, then the message model."""
    return [load_detector("rules"), load_detector("messages")]
