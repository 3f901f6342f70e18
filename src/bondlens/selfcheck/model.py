"""The result of a self-check, as saved by `bondlens selfcheck --out` and read by `bondlens report --selfcheck`.

The report includes a self-check only when the person passes its file: answers are private by default."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bondlens.errors import BondlensError

RESULT_VERSION = "1"


@dataclass(frozen=True)
class SelfCheckAnswer:
    item_id: str  # id of the item in the questionnaire data file
    sign: str  # the sign id it asks about (taxonomy "sign")
    question: str
    answer: int  # 0 = never / not at all ... 3 = often / very much
    answer_text: str


@dataclass(frozen=True)
class SignScore:
    sign: str
    name: str  # the sign's name from the taxonomy
    score: int
    max_score: int


@dataclass(frozen=True)
class SelfCheckResult:
    version: str
    taken_on: str  # ISO date the person answered
    band: str  # indication band id (see the questionnaire data file)
    band_name: str  # e.g. "Several signs"
    summary: str  # one or two plain sentences: what the answers indicate, never a diagnosis
    reasoning: tuple[str, ...]  # why this band: which answers weighed
    score: int
    max_score: int
    signs: tuple[SignScore, ...]
    answers: tuple[SelfCheckAnswer, ...]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


def result_from_dict(data: dict[str, Any], where: str = "self-check result") -> SelfCheckResult:
    try:
        if str(data["version"]) != RESULT_VERSION:
            raise BondlensError(f"{where}: version {data['version']!r} is not {RESULT_VERSION!r}")
        return SelfCheckResult(
            version=str(data["version"]),
            taken_on=str(data["taken_on"]),
            band=str(data["band"]),
            band_name=str(data["band_name"]),
            summary=str(data["summary"]),
            reasoning=tuple(str(r) for r in data["reasoning"]),
            score=int(data["score"]),
            max_score=int(data["max_score"]),
            signs=tuple(
                SignScore(str(s["sign"]), str(s["name"]), int(s["score"]), int(s["max_score"])) for s in data["signs"]
            ),
            answers=tuple(
                SelfCheckAnswer(
                    str(a["item_id"]), str(a["sign"]), str(a["question"]), int(a["answer"]), str(a["answer_text"])
                )
                for a in data["answers"]
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BondlensError(f"{where}: not a bondlens self-check result ({exc})") from None


def load_result(path: Path) -> SelfCheckResult:
    """Read a result saved by `bondlens selfcheck --out`; a clear error naming the file otherwise."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BondlensError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BondlensError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise BondlensError(f"{path}: not a bondlens self-check result")
    return result_from_dict(data, str(path))
