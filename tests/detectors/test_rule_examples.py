"""Every YAML rule's own examples run as tests: positives fire the rule, negatives do not raise its label."""

from __future__ import annotations

import pytest

from bondlens.detectors.rules import RulesDetector, load_rules
from bondlens.detectors.rules.evaluate import ME, THEM, conversation_for
from bondlens.detectors.rules.loader import Rule, RuleExample

DETECTOR = RulesDetector()
RULES = load_rules("en").rules


def cases(kind: str) -> list[tuple[Rule, RuleExample]]:
    return [(rule, ex) for rule in RULES for ex in (rule.positive if kind == "positive" else rule.negative)]


def ident(value: object) -> str:
    if isinstance(value, Rule):
        return value.id
    assert isinstance(value, RuleExample)
    return value.text[:40]


def labels_on_last(rule: Rule, example: RuleExample) -> dict[str, list[str]]:
    sender = THEM if rule.label_set == "tactic" else ME
    conversation = conversation_for(example.context, sender, example.text)
    last = conversation.messages[-1].id
    found: dict[str, list[str]] = {}
    for finding in DETECTOR.detect(conversation, me=ME):
        if finding.message_id == last:
            found.setdefault(finding.label, []).append(finding.explanation.rule_id or "")
    return found


@pytest.mark.parametrize(("rule", "example"), cases("positive"), ids=ident)
def test_positive_example_fires(rule: Rule, example: RuleExample) -> None:
    assert rule.label in labels_on_last(rule, example), f"{rule.id} should flag: {example.text!r}"
    if rule.context == "none":
        scored = [c for c in DETECTOR.candidates(example.text, (rule.label_set,)) if c.rule.id == rule.id]
        assert scored and scored[0].score >= DETECTOR.threshold, f"{rule.id} itself should fire on {example.text!r}"


@pytest.mark.parametrize(("rule", "example"), cases("negative"), ids=ident)
def test_negative_example_is_not_flagged(rule: Rule, example: RuleExample) -> None:
    assert rule.label not in labels_on_last(rule, example), f"{rule.id} should not flag: {example.text!r}"


def test_every_label_has_rules() -> None:
    covered = {rule.label for rule in RULES}
    assert covered == set(DETECTOR.labels)


def test_a_bad_trigger_names_the_file_and_rule(tmp_path: object) -> None:
    from bondlens.detectors.rules.loader import RuleFileError, _triggers

    assert _triggers(["Happens", 999], "en/tactics/x.yaml", "x.y") == frozenset({"happens", "999"})
    with pytest.raises(RuleFileError, match=r"en/tactics/x.yaml: rule x.y: trigger False is not a word"):
        _triggers(["fine", False], "en/tactics/x.yaml", "x.y")
