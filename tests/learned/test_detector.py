"""The detector `mentalmanip.v1`: the Detector protocol, honest findings, and restraint on ordinary chats."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bondlens.detectors import Detector, detect, detector_entries, load_detector
from bondlens.importers import load_conversation
from bondlens.learned.detector import FINDING_THRESHOLD, MentalManipDetector, dialogue_text, windows
from bondlens.learned.labels import FINDING_TACTICS
from bondlens.model import Conversation, Message, Participant, SourceFile
from tests.conftest import EXAMPLES

DETECTOR = MentalManipDetector()


def chat(lines: list[tuple[str, str]]) -> Conversation:
    people = sorted({who for who, _ in lines})
    start = datetime(2026, 3, 1, 9, 0)
    messages = tuple(
        Message(id=i, timestamp=start + timedelta(minutes=i), sender=who, text=text, source_line=i + 1)
        for i, (who, text) in enumerate(lines)
    )
    return Conversation(
        format="test",
        source=SourceFile(path="test", sha256="0" * 64, size=0),
        participants=tuple(Participant(p, p) for p in people),
        messages=messages,
        naive_timestamps=True,
    )


FRIENDLY_CHAT = [
    ("Alex", "morning! did you sleep ok?"),
    ("Jo", "like a log, you?"),
    ("Alex", "not bad. are we still on for lunch?"),
    ("Jo", "yes, 12 at the usual place"),
    ("Alex", "perfect. I'll bring the book I promised you"),
    ("Jo", "oh lovely, thank you"),
    ("Alex", "how did the interview go yesterday?"),
    ("Jo", "really well I think, they said they'd call next week"),
    ("Alex", "that's great news, fingers crossed"),
    ("Jo", "thanks! see you at 12"),
    ("Alex", "see you 🙂"),
]


def test_it_is_a_registered_detector() -> None:
    assert isinstance(DETECTOR, Detector)
    assert "mentalmanip.v1" in detector_entries()
    loaded = load_detector("mentalmanip.v1")
    assert (loaded.name, loaded.version) == ("mentalmanip", "1")
    assert set(loaded.labels) <= {"intimidation", "emotional_abuse", "blame_minimise_deny", "reinforcement"}


def test_findings_on_the_cycle_sample_are_few_and_well_formed() -> None:
    conversation = load_conversation(EXAMPLES / "whatsapp_cycle.txt")
    alex = next(p.id for p in conversation.participants if p.name == "Alex")
    findings = DETECTOR.detect(conversation, me=alex)
    assert 1 <= len(findings) <= len(conversation.messages) // 50  # sparing: no flood
    assert len({f.message_id for f in findings}) == len(findings)  # at most one per message
    for f in findings:
        message = conversation.messages[f.message_id]
        assert f.detector == "mentalmanip.v1"
        assert f.label_set == "tactic" and f.label in FINDING_TACTICS
        assert f.sender == message.sender and f.sender != alex  # tactics only in the other person's messages
        assert message.text[f.span.start : f.span.end] == f.evidence and f.evidence.strip()
        assert FINDING_THRESHOLD <= f.score <= 1.0
        text = f.explanation.text()
        assert "statistical model trained on film and TV dialogue" in text
        assert f"score {f.score:.2f}" in text and "Techniques predicted" in text
        assert f.explanation.source and "MentalManip" in f.explanation.source


def test_it_runs_beside_the_rules() -> None:
    conversation = load_conversation(EXAMPLES / "whatsapp_cycle.txt")
    both = detect(conversation, [load_detector("rules"), DETECTOR])
    assert {f.detector for f in both} == {"rules.v1", "mentalmanip.v1"}


@pytest.mark.parametrize("me", [None, "Alex"])
def test_nothing_on_a_short_friendly_chat(me: str | None) -> None:
    assert DETECTOR.detect(chat(FRIENDLY_CHAT), me=me) == []


def test_nothing_on_the_short_csv_sample() -> None:
    assert DETECTOR.detect(load_conversation(EXAMPLES / "chat.csv")) == []


def test_only_me_in_the_chat_means_no_tactic() -> None:
    alone = [("Alex", "You're crazy. Stop lying to me. You never listen!")] * 10
    assert DETECTOR.detect(chat(alone), me="Alex") == []


def test_windows_cover_every_message() -> None:
    assert windows([]) == []
    conversation = chat(FRIENDLY_CHAT)
    cut = windows(conversation.messages, size=8, stride=4)
    assert [w[0].id for w in cut] == [0, 3]  # the last window ends at the last message
    assert {m.id for w in cut for m in w} == set(range(len(FRIENDLY_CHAT)))
    assert dialogue_text(cut[0][:2]) == "Person1: morning! did you sleep ok?\nPerson2: like a log, you?"
