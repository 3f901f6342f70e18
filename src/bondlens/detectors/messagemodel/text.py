"""Text normalisation shared by training and detection, and sentence spans for evidence."""

from __future__ import annotations

import re

_APOSTROPHES = str.maketrans({"\u2019": "", "\u2018": "", "\u02bc": "", "'": "", "`": ""})
_REPEATS = re.compile(r"(\w)\1{2,}")  # "soooo" -> "soo": texting stretches letters
_SENTENCE = re.compile(r"[^.!?\n;]+[.!?;]*")
TOKEN = re.compile(r"(?u)\b\w+\b")  # the vectoriser's own token pattern


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped ("don't" and "dont" are one word), stretched letters shortened."""
    return _REPEATS.sub(r"\1\1", text.lower().translate(_APOSTROPHES))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, whitespace trimmed; the whole text if it has no sentence break."""
    spans: list[tuple[int, int]] = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start and any(c.isalnum() for c in text[start:end]):
            spans.append((start, end))
    if not spans:
        stripped = text.strip()
        offset = text.find(stripped) if stripped else 0
        spans.append((offset, offset + len(stripped)))
    return spans
