"""DiscordChatExporter JSON: goldens, what a user sees, bad input, fuzzing."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bondlens.errors import ImportFormatError
from bondlens.importers import ImportOptions, load_conversation
from bondlens.importers.base import read_sample
from bondlens.importers.discord import IMPORTER
from bondlens.importers.registry import detect_format
from bondlens.model import Attachment, Conversation
from tests.golden import DATA, check_golden
from tests.importers.mutation import paths_in, raises_only_our_errors, replaced

HERE = DATA / "discord"
DM = HERE / "dm_group.json"
SERVER = HERE / "server_channel.json"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "discord_export.json"
CET, CEST = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))


def read(path: Path) -> Conversation:
    return load_conversation(path, "discord")


@pytest.mark.parametrize("export", [DM, SERVER], ids=["dm-group", "server"])
def test_golden(export: Path) -> None:
    check_golden(export)


@pytest.mark.parametrize("fmt", ["discord"])
def test_example_attribute_is_readable(tmp_path: Path, fmt: str) -> None:
    """The snippet `bondlens formats` shows is itself a file bondlens recognises and reads."""
    from bondlens.importers import importers

    path = tmp_path / "export.json"
    path.write_text(importers()[fmt].example, encoding="utf-8")
    conversation = load_conversation(path)
    assert conversation.format == fmt
    assert len(conversation.messages) == 1


def test_example_imports() -> None:
    conversation = load_conversation(EXAMPLE)
    assert conversation.format == "discord"
    assert [p.name for p in conversation.participants] == ["Casey", "Jamie"]
    assert sum(m.is_system for m in conversation.messages) == 3  # the calls


DM_CASES = [
    # (index, sender name, text, attachments, system)
    (0, "Robin", "hey 🙂", (), False),
    (2, "Robin", "You always say that.\nAlways.", (), False),  # edited: final text
    (3, "Robin", "Started a call that lasted 0 minutes.", (), True),
    (4, "Sam", "That's not fair.", (), False),  # a reply keeps its own text
    (6, "Robin", "", (Attachment("voice", "voice-message.ogg"),), False),
    (7, "Sam", "the lease", (Attachment("document", "lease_draft.pdf"), Attachment("image", "IMG_2042.jpg")), False),
    (8, "Robin", "", (Attachment("sticker", "Yikes"),), False),
    (9, "Sam", "Pinned a message.", (), True),
    (10, "Robin", "https://example.com/flowers-for-you", (), False),  # the link preview is not an attachment
    (11, "Robin", "she's lying about you", (), False),  # forwarded text kept
    (12, "Robin", "Added Kit Moreau to the group.", (), True),
    (13, "Kit Moreau", "why am I here", (), False),
    (14, "Kit Moreau", "Left the group.", (), True),
    (15, "Sam", "ok.\n\nGood night.", (), False),
]


@pytest.mark.parametrize(("index", "sender", "text", "attachments", "system"), DM_CASES)
def test_dm_messages(index: int, sender: str, text: str, attachments: tuple[Attachment, ...], system: bool) -> None:
    conversation = read(DM)
    found = conversation.messages[index]
    assert conversation.sender_name(found) == sender
    assert found.text == text
    assert found.attachments == attachments
    assert found.is_system is system
    assert found.source_record == index


def test_dm_facts() -> None:
    conversation = read(DM)
    assert conversation.title == "Robin, Sam"
    assert not conversation.naive_timestamps
    assert conversation.messages[0].timestamp == datetime(2024, 3, 30, 20, 2, 11, 120000, tzinfo=CET)
    assert conversation.messages[4].timestamp == datetime(2024, 3, 31, 9, 1, 12, 300000, tzinfo=CEST)  # after DST
    assert conversation.messages[4].timestamp - conversation.messages[3].timestamp == timedelta(
        hours=9, minutes=20, seconds=5, microseconds=290000
    )
    robin = conversation.participant("412233445566778899")
    assert (robin.name, robin.handle) == ("Robin", "robin.vale")
    assert conversation.participant("512233445566778800").handle == "samortiz#4821"


def test_server_channel() -> None:
    conversation = read(SERVER)
    assert conversation.title == "Quiet Readers / general"
    kinds = [(conversation.sender_name(m), m.text, m.is_system) for m in conversation.messages]
    assert kinds[0] == ("Kit Moreau", "Joined the server.", True)
    assert kinds[2] == ("robin.vale", "welcome Kit", False)  # no nickname: the account name
    assert kinds[4] == ("ReminderBot", "Reminder set for 18:00", False)  # a slash-command reply (type 20)
    assert conversation.messages[5].attachments == (Attachment("other", "Reminder"),)  # embed-only message
    assert kinds[6][2] is True  # ChannelNameChange
    assert [a.kind for a in conversation.messages[7].attachments] == ["document", "gif", "video"]
    assert all(m.timestamp.utcoffset() == timedelta(0) for m in conversation.messages)


@pytest.mark.parametrize(
    ("kind", "system"),
    [
        ("Default", False),
        ("Reply", False),
        ("20", False),
        ("ChatInputCommand", False),
        ("RecipientAdd", True),
        ("Call", True),
        ("GuildMemberJoin", True),
        ("ThreadCreated", True),
        ("24", True),  # AutoModerationAction, written as a number by DiscordChatExporter
        (7, True),
        (None, False),
    ],
)
def test_system_types(tmp_path: Path, kind: Any, system: bool) -> None:
    record: dict[str, Any] = {"id": "1", "timestamp": "2024-01-01T10:00:00+00:00", "content": "x",
                              "author": {"id": "9", "name": "a"}}  # fmt: skip
    if kind is not None:
        record["type"] = kind
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"guild": {"name": "g"}, "channel": {"name": "c"}, "messages": [record]}), "utf-8")
    assert read(path).messages[0].is_system is system


def test_naive_export_is_naive(tmp_path: Path) -> None:
    record = {"id": "1", "type": "Default", "timestamp": "2024-01-01T10:00:00", "content": "x", "author": {"id": "9"}}
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"guild": {}, "channel": {}, "messages": [record]}), "utf-8")
    conversation = read(path)
    assert conversation.naive_timestamps
    assert conversation.messages[0].timestamp == datetime(2024, 1, 1, 10, 0)


def test_progress() -> None:
    calls: list[tuple[int, int]] = []
    load_conversation(DM, "discord", ImportOptions(progress=lambda d, t: calls.append((d, t))))
    assert calls[-1] == (DM.stat().st_size, DM.stat().st_size)


# ---------------------------------------------------------------------------------------------- sniffing
@pytest.mark.parametrize("path", [DM, SERVER, EXAMPLE])
def test_detected(path: Path) -> None:
    assert detect_format(path).name == "discord"


@pytest.mark.parametrize("other", [DATA / "telegram" / "personal_chat.json", DATA / "facebook" / "resaved_utf8.json"])
def test_not_sniffed_on_other_formats(other: Path) -> None:
    assert IMPORTER.sniff(read_sample(other)) == 0.0


# ------------------------------------------------------------------------------------------- bad input
GOOD = '{"id": "1", "type": "Default", "timestamp": "2024-01-01T10:00:00+00:00", "content": "x", "author": {"id": "9"}}'
BAD = [
    ("", "is empty"),
    ('{"guild": {}, "messages": [' + GOOD, "cut short"),
    ('{"guild": {},\n"channel": {}\n"messages": []}', ":3: is not valid JSON"),
    ("[]", "is JSON but a list"),
    ('{"guild": {}, "channel": {}}', 'has no "messages" list; is this a DiscordChatExporter JSON export?'),
    ('{"messages": []}', "no messages found"),
    ('{"messages": [' + GOOD + ', "x"]}', 'record 1 of "messages": each message should be an object'),
    ('{"messages": [{"id": "1", "content": "x"}]}', 'record 0 of "messages": has no "timestamp"'),
    ('{"messages": [{"timestamp": "2024-13-01T10:00:00+00:00"}]}', '"timestamp" is \'2024-13-01'),
    ('{"messages": [{"timestamp": "2024-01-01T10:00:00+00:00", "author": {"name": "a"}}]}', '"author" has no "id"'),
    ('{"messages": [{"timestamp": "2024-01-01T10:00:00+00:00", "type": true}]}', '"type" should be text'),
    ('{"messages": [{"timestamp": "2024-01-01T10:00:00+00:00", "attachments": [1]}]}', "each attachment should be"),
    ('{"messages": [{"timestamp": "2024-01-01T10:00:00+00:00", "stickers": {}}]}', '"stickers" should be a list'),
    ('{"messages": [' + GOOD + ', {"timestamp": "2024-01-01T10:00:00"}]}', 'record 1 of "messages": mixes times'),
    ('{"guild": 4, "messages": [' + GOOD + "]}", '"guild" should be an object'),
]


@pytest.mark.parametrize(("content", "needle"), BAD)
def test_bad_input(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "export.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFormatError) as info:
        read(path)
    assert needle in str(info.value)
    assert str(info.value).startswith(str(path))
    assert "\n" not in str(info.value)


# -------------------------------------------------------------------------------------------- properties
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def only_our_errors(path: Path) -> None:
    raises_only_our_errors(lambda: read(path))


@FUZZ
@given(data=st.binary(max_size=1500))
def test_random_bytes_raise_only_our_errors(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("dc") / "export.json"
    path.write_bytes(data)
    only_our_errors(path)


@FUZZ
@given(seed=st.integers(0, 2**32), new=json_values, fixture=st.sampled_from([DM, SERVER]))
def test_mutated_fixtures_raise_only_our_errors(
    tmp_path_factory: pytest.TempPathFactory, seed: int, new: Any, fixture: Path
) -> None:
    original = json.loads(fixture.read_text("utf-8"))
    where = random.Random(seed).choice(paths_in(original))
    path = tmp_path_factory.mktemp("dc") / "export.json"
    path.write_text(json.dumps(replaced(original, where, new)), encoding="utf-8")
    only_our_errors(path)


@FUZZ
@given(cut=st.integers(0, 9000), junk=st.binary(max_size=16))
def test_damaged_fixture_raise_only_our_errors(tmp_path_factory: pytest.TempPathFactory, cut: int, junk: bytes) -> None:
    data = DM.read_bytes()
    path = tmp_path_factory.mktemp("dc") / "export.json"
    path.write_bytes(data[:cut] + junk + data[cut + len(junk) :])
    only_our_errors(path)


def test_utc_times_compare_across_offsets() -> None:
    conversation = read(DM)
    assert conversation.messages[0].timestamp.astimezone(UTC) == datetime(2024, 3, 30, 19, 2, 11, 120000, tzinfo=UTC)
