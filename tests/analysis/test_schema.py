"""JSON output v1 validates against bondlens/data/analysis.schema.json (JSON Schema draft 2020-12)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bondlens.analysis import analyse
from bondlens.analysis.schema import SCHEMA_VERSION, dumps, json_schema, to_json
from bondlens.detectors import detect
from bondlens.importers import load_conversation
from tests.analysis.helpers import (
    NAMES,
    ROOT,
    detected_analysis,
    exact_analysis,
    sample_analysis,
    schema_document_errors,
    schema_errors,
)


def check(data: dict[str, Any]) -> None:
    errors = schema_errors(data)
    assert not errors, "\n".join(errors[:10])


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert schema_document_errors() == []
    assert json_schema()["properties"]["schema_version"] == {"const": SCHEMA_VERSION}


def test_real_output_on_the_sample_chat_validates() -> None:
    data = to_json(sample_analysis())
    check(data)
    assert data["schema_version"] == "1"
    assert data["me"] == "Alex" and data["asymmetry"]["them"] == "Jordan"
    assert data["patterns"][0]["cycle_count"] == len(data["patterns"][0]["cycles"]) >= 3
    assert json.loads(dumps(sample_analysis())) == data


@pytest.mark.parametrize("name", NAMES)
def test_fixture_outputs_validate(name: str) -> None:
    check(to_json(exact_analysis(name)))
    check(to_json(detected_analysis(name)))


@pytest.mark.parametrize(
    "example", ["telegram_result.json", "discord_export.json", "chat.csv", "transcript.txt", "sms-backup.xml"]
)
def test_other_formats_validate(example: str) -> None:
    """Time zones, group chats and other importers produce valid output too."""
    conversation = load_conversation(ROOT / "examples" / example)
    me = conversation.participants[0].id
    check(to_json(analyse(conversation, detect(conversation), me=me)))


def test_evidence_quotes_the_message_unaltered() -> None:
    data = to_json(sample_analysis())
    conversation = load_conversation(ROOT / "examples" / "whatsapp_cycle.txt")
    for cycle in data["patterns"][0]["cycles"]:
        for item in [*cycle["harm"]["evidence"], *cycle["reinforcement"]["evidence"]]:
            message = conversation.messages[item["message_id"]]
            assert item["text"] == message.text and item["quote"] in message.text
            assert item["timestamp"] == message.timestamp.isoformat()
            assert item["source_line"] == message.source_line
