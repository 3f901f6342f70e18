from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bondlens.model import Conversation, Message, Participant, SourceFile
from tests.llm.fake_server import FakeLLM

LINES = [
    ("s", "You are so stupid, nobody else would put up with you"),
    ("a", "I'm sorry, it's my fault, I should have known better"),
    ("s", "If you go to your sister's on Sunday, don't bother coming back"),
    ("a", "ok"),
    ("s", "I love you so much, I'm sorry about yesterday, flowers are on the way"),
    ("a", "Thank you, you're so good to me"),
]


@pytest.fixture
def conversation() -> Conversation:
    start = datetime(2026, 3, 1, 9, 0)
    messages = tuple(
        Message(id=i, timestamp=start + timedelta(minutes=i), sender=who, text=text, source_line=i + 1)
        for i, (who, text) in enumerate(LINES)
    )
    return Conversation(
        format="test",
        source=SourceFile("test.txt", "0" * 64, 0),
        participants=(Participant("a", "Alex"), Participant("s", "Sam")),
        messages=messages,
        naive_timestamps=True,
    )


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the cache and the config of these tests in a temporary folder, never the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path
