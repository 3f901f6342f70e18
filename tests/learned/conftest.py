"""Shared helpers for the learned-model tests: small dialogues and a JSON Lines writer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bondlens.learned import MentalManipModel, load_model

PRESSING = (
    "Sam: You're imagining things again. That never happened and you know it.\n"
    "Robin: I remember it clearly, you shouted at me.\n"
    "Sam: You're crazy. Nobody would believe you. Stop lying to me.\n"
    "Robin: I'm sorry... maybe I got it wrong."
)
FRIENDLY = (
    "Alex: are we still on for lunch tomorrow?\n"
    "Jo: yes! 12 at the usual place?\n"
    "Alex: perfect, see you there\n"
    "Jo: great, I'll bring the book I promised you"
)


@pytest.fixture(scope="session")
def model() -> MentalManipModel:
    return load_model()


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
