from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bondlens.errors import ImportFormatError
from bondlens.importers.base import ConversationBuilder
from bondlens.model import Attachment, SourceFile

SOURCE = SourceFile(path="chat.txt", sha256="0" * 64, size=10)


def test_builder_numbers_messages_and_registers_senders() -> None:
    builder = ConversationBuilder("test", SOURCE, naive_timestamps=True)
    builder.participant("+15550100", "Sam", "+15550100")
    builder.add(datetime(2026, 3, 12, 21, 15), "+15550100", "hi", source_line=1)
    builder.add(datetime(2026, 3, 12, 21, 16), "Alex", "", (Attachment("image", "IMG-1.jpg"),), source_line=2)
    builder.add(datetime(2026, 3, 12, 21, 17), None, "Alex left", is_system=True, source_line=3)
    conversation = builder.build()
    assert [m.id for m in conversation.messages] == [0, 1, 2]
    assert [p.name for p in conversation.participants] == ["Sam", "Alex"]
    assert conversation.sender_name(conversation.messages[0]) == "Sam"
    assert conversation.message_counts() == {"+15550100": 1, "Alex": 1}
    assert len(conversation.user_messages()) == 2
    assert conversation.first_timestamp == datetime(2026, 3, 12, 21, 15)


def test_timestamps_must_all_be_naive_or_all_aware() -> None:
    builder = ConversationBuilder("test", SOURCE, naive_timestamps=True)
    builder.add(datetime(2026, 3, 12, 21, 15, tzinfo=UTC), "Sam", "hi", source_line=1)
    with pytest.raises(ValueError, match="naive"):
        builder.build()


def test_no_messages_is_a_clear_error() -> None:
    builder = ConversationBuilder("whatsapp", SOURCE, naive_timestamps=True)
    with pytest.raises(ImportFormatError, match=r"chat.txt: no messages found in this whatsapp export"):
        builder.build()
