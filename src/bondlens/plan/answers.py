"""The person's own notes for each step, from an --answers file (YAML or JSON: step id -> text or list of texts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bondlens.errors import BondlensError
from bondlens.plan.steps import Step, load_steps

Answers = dict[str, tuple[str, ...]]  # step id -> notes, in the order written

MAX_ANSWERS_BYTES = 1024 * 1024  # notes for a handful of steps: anything larger is not an answers file


def _notes(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    notes: list[str] = []
    for item in items:
        if isinstance(item, date):  # YAML reads 2027-01-10 as a date: keep it as written
            item = item.isoformat()
        if isinstance(item, int | float):  # bool too: YAML reads yes/no as true/false
            found = str(item).lower() if isinstance(item, bool) else repr(item)
            raise BondlensError(f"{where}: write the notes as text; put quotes around numbers and yes/no ({found})")
        if not isinstance(item, str):
            raise BondlensError(f"{where}: the notes must be text or a list of texts, not {type(item).__name__}")
        text = item.strip()
        if text:
            notes.append(text)
    return tuple(notes)


def parse_answers(data: Any, where: str, steps: Sequence[Step] | None = None) -> Answers:
    """Check ``data`` (already parsed) against the steps; ``where`` names the file in errors."""
    steps = load_steps() if steps is None else steps
    ids = [s.id for s in steps]
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BondlensError(
            f"{where}: expected each step id with your notes, for example 'support: my sister Ana'; "
            f"the steps are: {', '.join(ids)}"
        )
    answers: Answers = {}
    for key, value in data.items():
        if str(key) not in ids:
            raise BondlensError(f"{where}: step {key!r} is not a step of the plan; the steps are: {', '.join(ids)}")
        answers[str(key)] = _notes(value, f"{where}: step {key!r}")
    return answers


def load_answers(path: Path, steps: Sequence[Step] | None = None) -> Answers:
    """Read an answers file; every problem is one line naming the file (and the step)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_ANSWERS_BYTES:
            raise BondlensError(f"{path}: too large for an answers file ({size:,} bytes)")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BondlensError(f"{path}: not a text file in UTF-8") from None
    except IsADirectoryError:
        raise BondlensError(f"{path}: is a folder, not an answers file") from None
    except OSError as exc:
        raise BondlensError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise BondlensError(f"{path}: not YAML or JSON{line} ({problem})") from None
    return parse_answers(data, str(path), steps)
