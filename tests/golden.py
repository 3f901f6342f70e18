"""Golden-file checks for importers: an export in tests/data/<format>/ beside the JSON we expect from it.

Set BONDLENS_UPDATE_GOLDEN=1 to (re)write the expected files, then read the diff before committing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from bondlens.importers import ImportOptions, load_conversation
from bondlens.model import Conversation
from bondlens.serialize import conversation_header, message_record

DATA = Path(__file__).parent / "data"


def conversation_json(conversation: Conversation) -> dict[str, Any]:
    header = conversation_header(conversation)
    header["source"].pop("path")  # differs per checkout
    return {
        "header": header,
        "messages": [message_record(conversation, m) for m in conversation.messages],
    }


def check_golden(
    export: Path, fmt: str = "auto", options: ImportOptions | None = None, expected: Path | None = None
) -> Conversation:
    """Import ``export`` and compare with ``<export>.expected.json``."""
    conversation = load_conversation(export, fmt, options)
    actual = conversation_json(conversation)
    expected = expected or export.with_name(export.name + ".expected.json")
    if os.environ.get("BONDLENS_UPDATE_GOLDEN") == "1" or not expected.exists():
        if os.environ.get("BONDLENS_UPDATE_GOLDEN") != "1":
            raise AssertionError(f"no golden file {expected}; run with BONDLENS_UPDATE_GOLDEN=1 and review it")
        expected.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert actual == json.loads(expected.read_text(encoding="utf-8"))
    return conversation
