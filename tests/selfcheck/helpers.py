"""Shared by the self-check tests: the answers files and words that must never appear."""

from __future__ import annotations

import re
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
FEW, SOME, MANY = DATA / "few.json", DATA / "some.yaml", DATA / "many.yaml"

# The self-check gives an indication, never a diagnosis: no "diagnosis: X", no "you have <a disorder>".
FORBIDDEN = re.compile(r"diagnosis\s*:|\byou have\b|\byou(?:'re| are) (?:suffering|a victim)|\bdisorder\b", re.I)


def flat(text: str) -> str:
    """Terminal output with its line wrapping undone, for phrase checks."""
    return " ".join(text.split())


def overstatements(text: str) -> list[str]:
    return FORBIDDEN.findall(text)
