"""Text normalisation shared by training and detection, and sentence spans for evidence."""

from __future__ import annotations

import re

_APOSTROPHES = ("\u2019", "\u2018", "\u02bc", "'", "`")  # dropped by normalise
_REPEATS = re.compile(r"(\w)\1{2,}")  # "soooo" -> "soo": texting stretches letters
_SENTENCE = re.compile(r"[^.!?\n;]+[.!?;]*")
_ALNUM = re.compile(r"[^\W_]")  # a character for which str.isalnum() is true
TOKEN = re.compile(r"(?u)\b\w+\b")  # the vectoriser's own token pattern


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped ("don't" and "dont" are one word), stretched letters shortened."""
    text = text.lower()
    for apostrophe in _APOSTROPHES:  # str.replace: much faster than str.translate with a table
        if apostrophe in text:
            text = text.replace(apostrophe, "")
    if _REPEATS.search(text) is None:  # most texts: nothing to shorten, and sub() costs more than search()
        return text
    return _REPEATS.sub(r"\1\1", text)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, whitespace trimmed; the whole text if it has no sentence break."""
    spans: list[tuple[int, int]] = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        sentence = match[0]
        # str.strip() and str.isspace() agree on what whitespace is
        start += len(sentence) - len(sentence.lstrip())
        end -= len(sentence) - len(sentence.rstrip())
        if end > start and _ALNUM.search(text, start, end) is not None:
            spans.append((start, end))
    if not spans:
        stripped = text.strip()
        offset = text.find(stripped) if stripped else 0
        spans.append((offset, offset + len(stripped)))
    return spans
