"""The steps of the safety and exit plan, read from ``data/steps.yaml`` (see the comments there)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from bondlens.errors import BondlensError

STEPS_FILE = "steps.yaml"


@dataclass(frozen=True)
class Step:
    id: str  # the key of this step in an --answers file
    title: str
    why: str  # why the step matters, one short paragraph
    prompts: tuple[str, ...]  # questions the person's notes answer
    checklist: tuple[str, ...]  # things to do or gather, printed with tick boxes
    sources: tuple[str, ...]  # where the advice comes from
    caution: str | None = None  # a safety warning, shown in a box
    info: tuple[str, ...] = ()  # facts worth knowing (e.g. the therapies with evidence)


def data_text(name: str) -> str:
    """The text of a data file shipped in ``bondlens/plan/data``."""
    return resources.files("bondlens.plan").joinpath("data", name).read_text(encoding="utf-8")


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BondlensError(f"{where}: '{key}' must be non-empty text")
    return " ".join(value.split())


def _texts(entry: dict[str, Any], key: str, where: str, required: bool = True) -> tuple[str, ...]:
    value = entry.get(key, [] if not required else None)
    if not isinstance(value, list) or (required and not value):
        raise BondlensError(f"{where}: '{key}' must be a list of texts")
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise BondlensError(f"{where}: every item of '{key}' must be non-empty text")
    return tuple(" ".join(item.split()) for item in value)


def parse_steps(text: str, where: str = STEPS_FILE) -> tuple[Step, ...]:
    """Read and check a steps file: every step has an id, a title, why, prompts, a checklist and a source."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list) or not data["steps"]:
        raise BondlensError(f"{where}: expected a mapping with a non-empty list 'steps'")
    steps: list[Step] = []
    for index, entry in enumerate(data["steps"], 1):
        here = f"{where}: step {index}"
        if not isinstance(entry, dict):
            raise BondlensError(f"{here}: expected a mapping")
        step_id = _text(entry, "id", here)
        here = f"{where}: step {step_id!r}"
        if not step_id.replace("_", "").isalnum() or not step_id.islower():
            raise BondlensError(f"{here}: an id is lower-case letters, digits and '_'")
        if any(s.id == step_id for s in steps):
            raise BondlensError(f"{here}: the id is used twice")
        caution = _text(entry, "caution", here) if "caution" in entry else None
        steps.append(
            Step(
                id=step_id,
                title=_text(entry, "title", here),
                why=_text(entry, "why", here),
                prompts=_texts(entry, "prompts", here),
                checklist=_texts(entry, "checklist", here),
                sources=_texts(entry, "source", here),
                caution=caution,
                info=_texts(entry, "info", here, required=False),
            )
        )
    return tuple(steps)


@cache
def load_steps() -> tuple[Step, ...]:
    """The plan's steps, in order."""
    return parse_steps(data_text(STEPS_FILE))
