"""The rules detector on whole conversations, as a user meets it through `bondlens detect`."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bondlens.detectors import detect
from bondlens.detectors.rules import RulesDetector
from bondlens.detectors.rules.evaluate import ME, THEM, conversation_for
from bondlens.importers import load_conversation
from bondlens.model import Finding
from tests.conftest import EXAMPLES, run_cli

DETECTOR = RulesDetector()


def findings_on_last(context: list[tuple[str, str]], sender: str, text: str) -> list[Finding]:
    conversation = conversation_for(context, sender, text)
    last = conversation.messages[-1].id
    return [f for f in DETECTOR.detect(conversation, me=ME) if f.message_id == last]


def test_apology_after_harm_is_reinforcement_but_not_in_a_neutral_exchange() -> None:
    harm = [(THEM, "you're pathetic, honestly. no wonder nobody likes you"), (ME, "why would you say that")]
    after_harm = findings_on_last(harm, THEM, "I'm so sorry baby")
    assert [f.label for f in after_harm] == ["reinforcement"]
    assert "follows harm" in after_harm[0].explanation.text()
    neutral = [(ME, "are you on your way?"), (THEM, "yes, traffic is awful")]
    assert findings_on_last(neutral, THEM, "I'm so sorry baby") == []


def test_tactics_only_in_their_messages_and_signs_only_in_mine() -> None:
    conversation = load_conversation(EXAMPLES / "whatsapp_cycle.txt")
    me = next(p.id for p in conversation.participants if p.name == "Alex")
    findings = detect(conversation, me=me)
    assert findings, "the sample chat shows a cycle; the rules must find something"
    for finding in findings:
        assert (finding.label_set == "sign") == (finding.sender == me)


def test_every_finding_quotes_its_span_exactly() -> None:
    for example in ("whatsapp_cycle.txt", "telegram_result.json", "transcript.txt", "chat.csv"):
        conversation = load_conversation(EXAMPLES / example)
        for finding in detect(conversation):
            text = conversation.messages[finding.message_id].text
            assert text[finding.span.start : finding.span.end] == finding.evidence
            assert finding.explanation.text().strip()
            assert 0.5 <= finding.score <= 1.0


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_yields_valid_findings(text: str) -> None:
    for finding in findings_on_last([], THEM, text) + findings_on_last([], ME, text):
        assert text[finding.span.start : finding.span.end] == finding.evidence


def test_detect_cli_jsonl() -> None:
    result = run_cli("detect", EXAMPLES / "whatsapp_cycle.txt", "--me", "Alex", "--jsonl")
    assert result.code == 0, result.err
    records = [json.loads(line) for line in result.out.splitlines()]
    assert records
    for record in records:
        assert {"message_id", "sender", "label", "score", "span", "evidence", "explanation"} <= record.keys()
        assert record["label_set"] in ("tactic", "sign")
    assert {r["sender_name"] for r in records if r["label_set"] == "tactic"} == {"Jordan"}


def test_detect_cli_summary_and_unknown_me() -> None:
    summary = run_cli("detect", EXAMPLES / "whatsapp_cycle.txt", "--me", "alex")
    assert summary.code == 0, summary.err
    assert "indications, not proof" in summary.out
    wrong = run_cli("detect", EXAMPLES / "whatsapp_cycle.txt", "--me", "Sam")
    assert wrong.code == 2
    assert "participants: Jordan, Alex" in wrong.err or "participants: Alex, Jordan" in wrong.err


def test_detect_without_me_says_so() -> None:
    result = run_cli("detect", EXAMPLES / "whatsapp_cycle.txt", "--jsonl")
    assert result.code == 0
    assert "without --me" in result.err


def test_detectors_lists_the_builtin_rules() -> None:
    result = run_cli("detectors")
    assert result.code == 0
    assert "rules.v1" in result.out


@pytest.mark.parametrize("name", ["nope"])
def test_unknown_detector_is_a_clear_error(name: str) -> None:
    result = run_cli("detect", EXAMPLES / "transcript.txt", "--detector", name)
    assert result.code == 2
    assert f"unknown detector '{name}'" in result.err
