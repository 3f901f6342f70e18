"""Reading an answers file for `bondlens selfcheck --answers FILE`: YAML or JSON, item id -> 0..3 or "skip".

Anything that is not such a file ends with one line naming the file (and the question), never a traceback."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import yaml

from bondlens.errors import BondlensError
from bondlens.selfcheck.items import Questionnaire, questionnaire

MAX_BYTES = 256 * 1024  # 18 answers fit in well under 1 KB; anything this large is not an answers file
SKIP_WORDS = frozenset({"skip", "prefer not to say"})


def _scale_hint(q: Questionnaire) -> str:
    choices = ", ".join(f"{c.value} ({c.text.lower()})" for c in q.scale)
    return f'use {choices} or "skip"'


def _value(path: Path, item_id: str, raw: Any, q: Questionnaire) -> int | None:
    if raw is None:
        return None  # left empty: not answered
    if isinstance(raw, str):
        text = raw.strip().casefold()
        if text in SKIP_WORDS:
            return None
        if text.isdigit():
            raw = int(text)
        for choice in q.scale:  # the words of the scale, as the interactive form also accepts them
            if text == choice.text.casefold():
                raw = choice.value
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= q.max_answer:
        return raw
    raise BondlensError(f"{path}: question {item_id!r}: {raw!r} is not an answer; {_scale_hint(q)}")


def _parse(path: Path, text: str) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise BondlensError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise BondlensError(f"{path}: not valid YAML or JSON{where}") from None


def read_answers(path: Path, q: Questionnaire | None = None) -> dict[str, int | None]:
    """The answers in ``path``: item id -> 0..3, or None for "skip". Questions it leaves out count as skipped."""
    q = q or questionnaire()
    path = Path(path)
    try:
        if path.is_dir():
            raise BondlensError(f"{path}: is a folder, not an answers file")
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise BondlensError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise BondlensError(f"{path}: too large to be an answers file (over {MAX_BYTES // 1024} KB)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BondlensError(f"{path}: not a text file in UTF-8") from None
    parsed = _parse(path, text)
    if not isinstance(parsed, dict) or not parsed:
        raise BondlensError(
            f"{path}: expected question ids with an answer each, such as 'self_blame.1: 2' ({_scale_hint(q)})"
        )
    answers: dict[str, int | None] = {}
    for key, raw in parsed.items():
        item_id = str(key)
        if q.item(item_id) is None:
            close = difflib.get_close_matches(item_id, [i.id for i in q.items], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; ids look like {q.items[0].id!r}"
            raise BondlensError(f"{path}: {item_id!r} is not a question of the self-check{hint}")
        answers[item_id] = _value(path, item_id, raw, q)
    return answers
