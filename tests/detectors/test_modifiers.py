"""Each modifier, table-driven: it fires where a reader would adjust, and says why."""

from __future__ import annotations

import pytest

from bondlens.detectors.rules import load_rules
from bondlens.detectors.rules.modifiers import MODIFIERS, MatchSite

WORDS = load_rules("en").modifiers


def site(text: str, target: str) -> MatchSite:
    start = text.index(target)
    return MatchSite.of(text, start, start + len(target))


CASES = [
    # modifier, message, the matched words, should it fire
    ("negation", "I would never hurt you", "hurt you", True),
    ("negation", "I didn't say you're useless", "you're useless", True),
    ("negation", "you're useless", "you're useless", False),
    ("negation", "Not joking. You're useless", "You're useless", False),  # another sentence
    ("quotation", 'he said "you\'re worthless" and walked out', "you're worthless", True),
    ("quotation", "my boss went 'you're useless' today", "you're useless", True),
    ("quotation", "you're worthless and you know it", "you're worthless", False),
    ("reported_speech", "my boss told me I'm useless", "I'm useless", True),
    ("reported_speech", "you told me I was crazy", "I was crazy", True),
    ("reported_speech", "I'm useless at this", "I'm useless", False),
    ("question", "are you crazy?", "you crazy", True),
    ("question", "you're crazy. sort it out", "you're crazy", False),
    ("joke", "you're such an idiot lol", "such an idiot", True),
    ("joke", "you absolute muppet 😂", "absolute muppet", True),
    ("joke", "hahaha you're mental", "you're mental", True),
    ("joke", "you're an idiot", "an idiot", False),
    ("hedge", "maybe you're overreacting a bit", "you're overreacting", True),
    ("hedge", "you're overreacting", "you're overreacting", False),
    ("conditional", "if you leave, I'll kill myself", "I'll kill myself", True),
    ("conditional", "try to take the kids and see what happens", "see what happens", True),
    ("conditional", "I'll kill myself laughing at this film", "I'll kill myself", False),
]


@pytest.mark.parametrize(("modifier", "text", "target", "fires"), CASES)
def test_modifier(modifier: str, text: str, target: str, fires: bool) -> None:
    adjustment = MODIFIERS[modifier](site(text, target), WORDS, 0.5)
    assert (adjustment is not None) == fires
    if adjustment is not None:
        assert adjustment.modifier == modifier
        assert adjustment.factor == 0.5
        assert adjustment.reason  # says why, in words
