"""Modifiers: small named functions that adjust a rule match's score and say why.

Each takes the :class:`MatchSite` (the message text, the match and its sentence) and the language's word
lists, and returns an :class:`~bondlens.model.Adjustment` or None. The factors live in ``language.yaml``; a
rule may switch a modifier off or give it another factor.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from bondlens.detectors.rules.loader import TOKEN, Modifiers, normalise_token
from bondlens.model import Adjustment

SENTENCE_END = re.compile(r"[.!?\n;]")
# a quoted stretch: double quotes (straight or curly), or single quotes that are not apostrophes
QUOTED = re.compile(r"[\"“”]([^\"“”]*)[\"“”]|(?<!\w)'((?:[^'\n]|'(?=\w))+?)'(?!\w)")
CONDITIONAL_REACH = 160  # characters before the match in which "if you ..." still governs it


@dataclass(frozen=True)
class MatchSite:
    text: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int

    @classmethod
    def of(cls, text: str, start: int, end: int) -> MatchSite:
        before = max((text.rfind(c, 0, start) for c in ".!?\n;"), default=-1)
        after = SENTENCE_END.search(text, end)
        return cls(text, start, end, before + 1, after.start() if after else len(text))

    @property
    def lead(self) -> str:
        """The sentence up to the match."""
        return self.text[self.sentence_start : self.start]


Modifier = Callable[[MatchSite, Modifiers, float], Adjustment | None]


def negation(site: MatchSite, words: Modifiers, factor: float) -> Adjustment | None:
    """'I would never hurt you': a negation word shortly before the match turns it around."""
    tokens = TOKEN.findall(site.lead)[-words.negation_window :]
    for token in reversed(tokens):
        if normalise_token(token) in words.negation_words:
            return Adjustment("negation", factor, f"'{token}' just before the words negates them")
    return None


def quotation(site: MatchSite, words: Modifiers, factor: float) -> Adjustment | None:
    """Words inside quotation marks are someone's words being reported, not said to the reader."""
    for quoted in QUOTED.finditer(site.text):
        if quoted.start() < site.start and site.end <= quoted.end():
            return Adjustment("quotation", factor, "the words are inside quotation marks (reported, not said to you)")
    return None


def reported_speech(site: MatchSite, words: Modifiers, factor: float) -> Adjustment | None:
    """'my boss told me I'm useless' is evidence about a third party, not an insult to the reader."""
    found = words.reported_speech.search(site.lead)
    if found:
        return Adjustment("reported_speech", factor, f"reported speech ('{found[0]}'): words about someone else")
    return None


def question(site: MatchSite, words: Modifiers, factor: float) -> Adjustment | None:
    """A question asks rather than asserts."""
    if site.sentence_end < len(site.text) and site.text[site.sentence_end] == "?":
        return Adjustment("question", factor, "the sentence is a question")
    return None


@cache
def _any_joke_marker(markers: tuple[str, ...]) -> re.Pattern[str]:
    """Finds something in a lower-cased text exactly when one of ``markers`` (or 'haha', 'lol') is in it: a
    marker can only be found (as a word, a phrase or text) where its letters are, so a text without any of them
    needs no closer look."""
    return re.compile("|".join(re.escape(m) for m in (*markers, "haha", "lol")))  # an empty marker: always


def joke(site: MatchSite, words: Modifiers, factor: float) -> Adjustment | None:
    """Banter markers ('lol', '😂', 'jk') soften words that would otherwise hurt."""
    lowered = site.text.lower()
    if _any_joke_marker(words.joke_markers).search(lowered) is None:
        return None
    tokens = {t for t in TOKEN.findall(lowered)}
    laughing = any(t.startswith("haha") or t.startswith("lol") for t in tokens)
    for marker in words.joke_markers:
        if marker.replace(" ", "").isalnum():
            hit = marker in tokens if " " not in marker else f" {marker} " in f" {lowered} "
            hit = hit or (marker in ("haha", "lol") and laughing)
        else:
            hit = marker in lowered
        if hit:
            return Adjustment("joke", factor, f"a joke or banter marker ('{marker}') in the message")
    return None


def hedge(site: MatchSite, words: Modifiers, factor: float) -> Adjustment | None:
    """'maybe', 'I guess' before the words make them less certain."""
    lead = " " + site.lead.lower() + " "
    for word in words.hedge_words:
        if f" {word} " in lead:
            return Adjustment("hedge", factor, f"hedged ('{word}')")
    return None


def conditional(site: MatchSite, words: Modifiers, factor: float) -> Adjustment | None:
    """'if you leave, ...': words that follow a condition on the reader's action make a threat."""
    window = site.text[max(0, site.start - CONDITIONAL_REACH) : site.start]
    before = list(words.conditional.finditer(window))
    found = before[-1] if before else words.conditional.search(site.text, site.start, site.end)
    if found is not None:
        return Adjustment(
            "conditional", factor, f"made conditional on your action ('{found[0]}'), which makes it a threat"
        )
    return None


MODIFIERS: dict[str, Modifier] = {
    "negation": negation,
    "quotation": quotation,
    "reported_speech": reported_speech,
    "question": question,
    "joke": joke,
    "hedge": hedge,
    "conditional": conditional,
}

# Which modifiers apply by default to each label set (a rule can switch one off or on).
DEFAULTS: dict[str, tuple[str, ...]] = {
    "tactic": ("negation", "quotation", "reported_speech", "question", "joke", "hedge", "conditional"),
    "sign": ("negation", "quotation", "reported_speech", "joke"),
}
