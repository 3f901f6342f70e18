"""Per label, through the default detectors (rules, then the message model), as `bondlens detect` runs them:
the README's example of each label is flagged with that label, and a healthy near miss of each is not."""

from __future__ import annotations

import re

import pytest

from bondlens.detectors import detect
from bondlens.detectors.rules.evaluate import ME, THEM, conversation_for
from bondlens.taxonomy import SIGNS, TACTICS
from tests.conftest import ROOT

ROW = re.compile(r'^\| `(?P<label>\w+)` \| (?P<set>tactic|sign) \| .* \| "(?P<example>[^|]+)" \|$')


def readme_examples() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return {m["label"]: m["example"] for line in text.splitlines() if (m := ROW.match(line))}


def labels_on_last(sender: str, text: str, context: tuple[tuple[str, str], ...] = ()) -> set[str]:
    conversation = conversation_for(context, sender, text)
    last = conversation.messages[-1].id
    return {f.label for f in detect(conversation, me=ME) if f.message_id == last}


# A harmful message before the example, for the label that needs one (an apology or tenderness is
# reinforcement only after harm).
CONTEXT = {"reinforcement": ((THEM, "you're pathetic, no wonder nobody can stand you"),)}

NEAR_MISSES = {
    "intimidation": "the storm knocked the fence down last night, what a mess",
    "emotional_abuse": "that film was pathetic honestly, what a waste of two hours",
    "isolation": "have a lovely time with your sister, say hi from me",
    "blame_minimise_deny": "I think we remember that evening differently, can we talk it through?",
    "decision_control": "what do you fancy for dinner, your choice tonight",
    "financial_abuse": "I paid the electric, can you transfer your half when you get a sec",
    "coercion_threats": "if it rains tomorrow we'll do the museum instead",
    "reinforcement": "happy birthday love, can't wait to see you tonight",
    "self_blame": "my fault, I forgot to book the table. I'll ring them now",
    "rationalising": "the train was late because of the signal failure",
    "appeasing": "I'd rather stay in tonight, hope that's ok with everyone",
    "gratitude_small_kindness": "thanks for the lift to the station, you're a star",
    "helpers_as_enemies": "my cousin gave me good advice about the new job",
    "fear_of_retaliation": "I'm nervous about my driving test tomorrow",
    "returning_after_leaving": "back home from the holiday, the cat is thrilled",
    "loss_of_self": "I can't decide between the blue and the green paint",
}


def test_the_readme_documents_every_label_with_an_example() -> None:
    assert sorted(readme_examples()) == sorted(TACTICS + SIGNS)


@pytest.mark.parametrize("label", TACTICS + SIGNS)
def test_the_readme_example_is_flagged_with_its_label(label: str) -> None:
    sender = THEM if label in TACTICS else ME
    assert label in labels_on_last(sender, readme_examples()[label], CONTEXT.get(label, ()))


@pytest.mark.parametrize("label", TACTICS + SIGNS)
def test_a_healthy_near_miss_is_not_flagged_with_the_label(label: str) -> None:
    sender = THEM if label in TACTICS else ME
    assert label not in labels_on_last(sender, NEAR_MISSES[label], CONTEXT.get(label, ()))
