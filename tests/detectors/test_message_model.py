"""The message model (``messages.v1``): what a person sees when it flags, or does not flag, a message."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bondlens.detectors import default_detectors, detect
from bondlens.detectors.messagemodel import MessageModelDetector, load_message_model
from bondlens.detectors.messagemodel.model import load_model_from
from bondlens.detectors.messagemodel.training import film_negatives, read_corpus, rule_examples, train
from bondlens.detectors.rules.evaluate import ME, THEM, conversation_for
from bondlens.errors import BondlensError
from bondlens.importers import load_conversation
from bondlens.model import Finding
from bondlens.taxonomy import SIGNS, TACTICS
from tests.conftest import EXAMPLES

ROOT = Path(__file__).resolve().parents[2]
MENTALMANIP = ROOT.parent / "shared" / "data" / "mentalmanip"
DETECTOR = MessageModelDetector()


def on_last(context: list[tuple[str, str]], sender: str, text: str) -> list[Finding]:
    conversation = conversation_for(context, sender, text)
    last = conversation.messages[-1].id
    return [f for f in DETECTOR.detect(conversation, me=ME) if f.message_id == last]


def labels_on_last(context: list[tuple[str, str]], sender: str, text: str) -> set[str]:
    return {f.label for f in on_last(context, sender, text)}


def test_the_shipped_model_covers_every_label_with_a_threshold() -> None:
    model = load_message_model()
    assert model.labels == TACTICS + SIGNS
    assert all(0.05 < model.threshold(label) < 1.0 for label in model.labels)
    assert model.info.training_messages > 4000


@pytest.mark.parametrize(
    ("sender", "text", "label"),
    [
        (THEM, "you're a worthless idiot and everyone knows it", "emotional_abuse"),
        (THEM, "give me your bank card, you're not to be trusted with money", "financial_abuse"),
        (ME, "it's my fault really, I shouldn't have pushed him", "self_blame"),
        (ME, "he only gets like that when he's stressed, he doesn't mean it", "rationalising"),
    ],
)
def test_clear_messages_are_flagged_with_their_label(sender: str, text: str, label: str) -> None:
    assert label in labels_on_last([], sender, text)


def test_one_hurtful_sentence_among_ordinary_ones_is_the_evidence() -> None:
    text = "Had a long day at work. You're a worthless idiot and everyone knows it. Anyway dinner's at 7."
    [finding] = [f for f in on_last([], THEM, text) if f.label == "emotional_abuse"]
    assert finding.evidence == "You're a worthless idiot and everyone knows it."
    assert text[finding.span.start : finding.span.end] == finding.evidence
    assert finding.detector == "messages.v1"


def test_the_explanation_names_words_as_the_message_wrote_them() -> None:
    [finding] = on_last([], THEM, "you're a worthless idiot and everyone knows it")
    summary = finding.explanation.summary
    assert "message model" in summary and "emotional abuse" in summary
    quoted = summary.split("weighed most: ")[1].rstrip(".").split(", ")
    assert quoted and all(q.strip("'") in finding.evidence for q in quoted)


def test_an_apology_is_reinforcement_only_after_harm_by_the_same_person() -> None:
    apology = "I'm so sorry baby, I promise it will never happen again, I love you"
    assert "reinforcement" not in labels_on_last([], THEM, apology)
    harm = [(THEM, "you're pathetic, no wonder your own family can't stand you")]
    [finding] = [f for f in on_last(harm, THEM, apology) if f.label == "reinforcement"]
    assert [a.modifier for a in finding.explanation.adjustments] == ["cycle_context"]
    assert "follows hurtful or controlling words" in finding.explanation.text()
    someone_else_hurt = [(ME, "you're pathetic, no wonder your own family can't stand you")]
    assert "reinforcement" not in labels_on_last(someone_else_hurt, THEM, apology)


def test_reported_and_quoted_abuse_is_not_an_insult_to_the_reader() -> None:
    assert "emotional_abuse" not in labels_on_last([], THEM, "my boss said I'm a worthless idiot and everyone knows it")
    assert "emotional_abuse" not in labels_on_last(
        [], THEM, 'he texted me "you\'re a worthless idiot, everyone knows it"'
    )


@pytest.mark.parametrize("reply", ["ok", "Ok 😊", "Thank you.", "I know.", "No", "And?"])
def test_short_replies_are_left_to_the_rules(reply: str) -> None:
    assert on_last([(THEM, "you're useless")], ME, reply) == []
    assert on_last([(ME, "can I go out tonight")], THEM, reply) == []


def test_signs_only_in_my_messages_and_tactics_only_in_theirs() -> None:
    conversation = load_conversation(EXAMPLES / "whatsapp_cycle.txt")
    me = next(p.id for p in conversation.participants if p.name == "Alex")
    findings = DETECTOR.detect(conversation, me=me)
    assert any(f.label_set == "sign" for f in findings) and any(f.label_set == "tactic" for f in findings)
    for finding in findings:
        assert (finding.label in SIGNS) == (finding.sender == me)


def test_every_finding_carries_its_evidence_span() -> None:
    conversation = load_conversation(EXAMPLES / "whatsapp_cycle.txt")
    texts = {m.id: m.text for m in conversation.messages}
    findings = DETECTOR.detect(conversation)
    assert findings
    for finding in findings:
        assert texts[finding.message_id][finding.span.start : finding.span.end] == finding.evidence
        assert finding.evidence.strip() == finding.evidence and finding.evidence


def test_detect_runs_rules_and_model_and_counts_a_message_once_per_label() -> None:
    assert [d.name for d in default_detectors()] == ["rules", "messages"]
    conversation = load_conversation(EXAMPLES / "whatsapp_cycle.txt")
    me = next(p.id for p in conversation.participants if p.name == "Alex")
    findings = detect(conversation, me=me)
    keys = [(f.message_id, f.label) for f in findings]
    assert len(keys) == len(set(keys))
    assert {f.detector for f in findings} == {"rules.v1", "messages.v1"}


def test_a_bad_training_line_is_named_by_file_and_line(tmp_path: Path) -> None:
    good = {"id": "a-1", "sender": "them", "context": [], "text": "hello there you", "labels": [], "note": ""}
    (tmp_path / "a.jsonl").write_text(json.dumps(good) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(BondlensError, match=r"a\.jsonl:2"):
        read_corpus(tmp_path)
    (tmp_path / "a.jsonl").write_text(json.dumps({**good, "labels": ["gaslit"]}) + "\n", encoding="utf-8")
    with pytest.raises(BondlensError, match=r"a\.jsonl:1: unknown label"):
        read_corpus(tmp_path)


def test_a_damaged_model_file_is_a_clear_error(tmp_path: Path) -> None:
    model = load_message_model()
    model.save(tmp_path)
    assert np.allclose(
        load_model_from(tmp_path).probabilities(["you are useless"]), model.probabilities(["you are useless"])
    )
    (tmp_path / "en.skops").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(BondlensError, match="message model"):
        load_model_from(tmp_path)


@pytest.mark.skipif(not (MENTALMANIP / "con_train.jsonl").is_file(), reason="MentalManip data not beside the repo")
def test_training_from_the_data_reproduces_the_shipped_scores() -> None:
    messages = [
        *read_corpus(ROOT / "training" / "messages" / "en"),
        *rule_examples(),
        *film_negatives(MENTALMANIP / "con_train.jsonl"),
    ]
    shipped = load_message_model()
    assert len(messages) == shipped.info.training_messages
    retrained = train(messages)
    probe = ["you're a worthless idiot", "it's my fault really", "see you at 7, love you", "I'm outside, open up"]
    assert np.allclose(retrained.probabilities(probe), shipped.probabilities(probe), atol=2e-3)
