"""Telegram Desktop result.json: goldens, what a user sees, bad input, chat-miner differential, fuzzing."""

from __future__ import annotations

import json
import logging
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bondlens.errors import FileTooLargeError, ImportFormatError
from bondlens.importers import ImportOptions, load_conversation
from bondlens.importers.base import read_sample
from bondlens.importers.registry import detect_format
from bondlens.importers.telegram import IMPORTER
from bondlens.model import Attachment, Conversation
from tests.golden import DATA, check_golden
from tests.importers.mutation import paths_in, raises_only_our_errors, replaced

HERE = DATA / "telegram"
PERSONAL = HERE / "personal_chat.json"
FULL = HERE / "full_export.json"
OLD = HERE / "old_naive.json"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "telegram_result.json"


def read(path: Path, chat: str | None = None) -> Conversation:
    return load_conversation(path, "telegram", ImportOptions(chat=chat))


# ------------------------------------------------------------------------------------------------ goldens
@pytest.mark.parametrize(
    ("export", "chat", "expected"),
    [
        (PERSONAL, None, None),
        (OLD, None, None),
        (FULL, "Book club", None),
        (FULL, "4412", HERE / "full_export.json.chat-4412.expected.json"),
    ],
    ids=["personal", "old-naive", "full-book-club", "full-by-id"],
)
def test_golden(export: Path, chat: str | None, expected: Path | None) -> None:
    check_golden(export, "auto", ImportOptions(chat=chat), expected=expected)


@pytest.mark.parametrize("fmt", ["telegram"])
def test_example_attribute_is_readable(tmp_path: Path, fmt: str) -> None:
    """The snippet `bondlens formats` shows is itself a file bondlens recognises and reads."""
    from bondlens.importers import importers

    path = tmp_path / "result.json"
    path.write_text(importers()[fmt].example, encoding="utf-8")
    conversation = load_conversation(path)
    assert conversation.format == fmt
    assert len(conversation.messages) == 1


def test_example_imports() -> None:
    conversation = load_conversation(EXAMPLE)
    assert conversation.format == "telegram"
    assert {p.name for p in conversation.participants} == {"Casey Morgan", "Jamie Lin"}


# ---------------------------------------------------------------------------------------- what users see
def message(conversation: Conversation, record: int) -> Any:
    return next(m for m in conversation.messages if m.source_record == record)


PERSONAL_CASES = [
    # (record, sender name, text, attachments, system, UTC time)
    (0, "Robin Vale", "hey 🙂", (), False, datetime(2024, 3, 1, 19, 2, 11, tzinfo=UTC)),
    (1, "Sam Ortiz", "I can't tonight, really tired", (), False, None),  # entities joined without spaces
    (2, "Robin Vale", "You always say that.\nAlways.", (), False, None),  # line break kept, final edit
    (3, "Robin Vale", "missed phone call", (), True, None),
    (5, "Robin Vale", "@sam_ortiz answer me", (), False, None),
    (6, "Sam Ortiz", "", (Attachment("image", "photo_1@02-03-2024_08-15-03.jpg"),), False, None),
    (7, "Robin Vale", "", (Attachment("sticker", "😡"),), False, None),
    (8, "Robin Vale", "", (Attachment("voice", "audio_1@02-03-2024_08-20-40.ogg", "audio/ogg"),), False, None),
    (9, "Sam Ortiz", "read this, please", (), False, None),
    (10, "Sam Ortiz", "pinned a message", (), True, None),
    (12, "Robin Vale", "for you 🌹", (Attachment("image", None),), False, None),  # photo not exported
    (13, "Sam Ortiz", "", (Attachment("document", "lease_draft.pdf", "application/pdf"),), False, None),
    (14, "Robin Vale", "", (Attachment("location", None),), False, None),
    (16, "Sam Ortiz", "", (Attachment("contact", "Kit Moreau"),), False, None),
    (17, "Sam Ortiz", "", (Attachment("other", "poll: Dinner Friday?"),), False, None),
    (18, "Robin Vale", "", (Attachment("video", "file_3@02-03-2024_18-45-09.mp4", "video/mp4"),), False, None),
    (19, "Robin Vale", "", (Attachment("gif", "IMG_4471.gif.mp4", "video/mp4"),), False, None),
    (20, "Sam Ortiz", "phone call (5 min 12 s)", (), True, None),
    (21, "Sam Ortiz", "ok.\n\nGood night.", (), False, None),
]


@pytest.mark.parametrize(("record", "sender", "text", "attachments", "system", "when"), PERSONAL_CASES)
def test_personal_chat_messages(
    record: int,
    sender: str,
    text: str,
    attachments: tuple[Attachment, ...],
    system: bool,
    when: datetime | None,
) -> None:
    conversation = read(PERSONAL)
    found = message(conversation, record)
    assert conversation.sender_name(found) == sender
    assert found.text == text
    assert found.attachments == attachments
    assert found.is_system is system
    if when is not None:
        assert found.timestamp == when


def test_personal_chat_facts() -> None:
    conversation = read(PERSONAL)
    assert conversation.title == "Robin Vale"
    assert not conversation.naive_timestamps
    assert len(conversation.messages) == 22  # every record kept
    assert [m.source_record for m in conversation.messages] == list(range(22))
    assert all(m.timestamp.tzinfo is UTC for m in conversation.messages)


def test_old_export_is_naive_and_reads_control_characters() -> None:
    conversation = read(OLD)
    assert conversation.naive_timestamps
    assert conversation.messages[0].timestamp == datetime(2019, 11, 3, 23, 15, 2)
    assert conversation.messages[1].text == "not yet\x0bsoon"  # tdesktop wrote "\x0B", which is not JSON
    assert conversation.participant("user9090").name == "Kit Moreau"  # numeric from_id of old exports


def test_full_export_group_chat() -> None:
    conversation = read(FULL, "Book club")
    deleted = message(conversation, 2)
    assert conversation.sender_name(deleted) == "Deleted Account"
    assert deleted.text == "who is this?"
    assert message(conversation, 4).text == "added Zoë Faure"
    assert message(conversation, 5).text == "Thanks Mara!"
    unsupported = message(conversation, 6)
    assert unsupported.is_system and unsupported.timestamp == message(conversation, 5).timestamp
    assert any("could not export" in w for w in conversation.warnings)


@pytest.mark.parametrize(
    ("chat", "title", "first_text"),
    [
        ("Book club", "Book club", 'created the group "Book club"'),
        ("book CLUB", "Book club", 'created the group "Book club"'),
        ("4412", "Robin Vale", "you up?"),
        ("880099", "Robin Vale", "group named after me lol"),
        ("5120", "Saved Messages", "note to self: call the helpline 0808 000 0000"),
        ("Old neighbours", "Old neighbours", "bins go out Tuesday"),  # a chat the user left
    ],
)
def test_full_export_picks_chat(chat: str, title: str, first_text: str) -> None:
    conversation = read(FULL, chat)
    assert conversation.title == title
    assert conversation.messages[0].text == first_text


@pytest.mark.parametrize(
    ("chat", "needle"),
    [
        (None, "choose one with --chat NAME or --chat ID: Robin Vale (id 4412), Book club (id 880011)"),
        ("Nobody", "has no chat named 'Nobody'; the chats are: Robin Vale (id 4412)"),
        (
            "Robin Vale",
            "has 2 chats named 'Robin Vale'; choose one by id: Robin Vale (id 4412), Robin Vale (id 880099)",
        ),
    ],
)
def test_full_export_chat_errors(chat: str | None, needle: str) -> None:
    with pytest.raises(ImportFormatError) as info:
        read(FULL, chat)
    assert needle in str(info.value)
    assert str(FULL) in str(info.value)


def test_chat_option_on_single_chat_export_warns() -> None:
    conversation = read(PERSONAL, "Someone Else")
    assert conversation.title == "Robin Vale"
    assert any("ignored" in w for w in conversation.warnings)


def test_text_entities_used_when_text_missing(tmp_path: Path) -> None:
    data = {
        "name": "X",
        "type": "personal_chat",
        "id": 1,
        "messages": [
            {
                "id": 1,
                "type": "message",
                "date": "2024-01-01T10:00:00",
                "date_unixtime": "1704099600",
                "from": "Ann Lee",
                "from_id": "user1",
                "text_entities": [{"type": "plain", "text": "a "}, {"type": "bold", "text": "b"}],
            }
        ],
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert read(path).messages[0].text == "a b"


def test_mixed_unixtime_falls_back_to_naive_dates(tmp_path: Path) -> None:
    messages = [
        {"id": 1, "type": "message", "date": "2024-01-01T10:00:00", "date_unixtime": "1704099600", "from": "A",
         "from_id": "user1", "text": "one"},
        {"id": 2, "type": "message", "date": "2024-01-01T10:05:00", "from": "A", "from_id": "user1", "text": "two"},
    ]  # fmt: skip
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"name": "A", "type": "personal_chat", "id": 1, "messages": messages}), encoding="utf-8")
    conversation = read(path)
    assert conversation.naive_timestamps
    assert [m.timestamp for m in conversation.messages] == [datetime(2024, 1, 1, 10, 0), datetime(2024, 1, 1, 10, 5)]
    assert any("date_unixtime" in w for w in conversation.warnings)


def test_progress_is_reported_in_bytes() -> None:
    calls: list[tuple[int, int]] = []
    load_conversation(PERSONAL, "telegram", ImportOptions(progress=lambda done, total: calls.append((done, total))))
    size = PERSONAL.stat().st_size
    assert calls and calls[-1] == (size, size)


# ---------------------------------------------------------------------------------------------- sniffing
@pytest.mark.parametrize("path", [PERSONAL, FULL, OLD, EXAMPLE])
def test_detected(path: Path) -> None:
    assert detect_format(path).name == "telegram"
    assert IMPORTER.sniff(read_sample(path)) >= 0.9


@pytest.mark.parametrize(
    "other",
    [
        DATA / "discord" / "dm_group.json",
        DATA / "facebook" / "resaved_utf8.json",
        DATA / "signal" / "Robin Vale" / "chat.md",
        DATA / "signal" / "Robin Vale" / "data.json",
    ],
)
def test_not_sniffed_on_other_formats(other: Path) -> None:
    assert IMPORTER.sniff(read_sample(other)) == 0.0


# ------------------------------------------------------------------------------------------- bad input
def write(tmp_path: Path, text: str | bytes, name: str = "result.json") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


GOOD_MESSAGE = (
    '{"id": 1, "type": "message", "date_unixtime": "1704099600", "from": "A", "from_id": "user1", "text": "hi"}'
)

BAD_INPUTS = [
    # (content, what the error must say)
    ("", "is empty"),
    ("   \n\n", "contains no JSON data"),
    ("hello", "is not JSON"),
    ('{"name": "A",\n "messages": [\n' + GOOD_MESSAGE, "cut short"),
    ('{"name": "A"\n "messages": []}', ":2: is not valid JSON (Expecting ',' delimiter"),
    ("[1, 2]", 'a list, not an object with "messages"'),
    ('{"name": "A", "type": "personal_chat"}', 'has no "messages" list and no "chats"; is this a Telegram Desktop'),
    ('{"messages": {"a": 1}}', 'the chat has no "messages" list'),
    ('{"messages": []}', "no messages found"),
    ('{"messages": [' + GOOD_MESSAGE + ", 5]}", 'record 1 of "messages": each message should be an object'),
    ('{"messages": [{"id": 1, "type": "message", "from": "A", "text": "x"}]}', 'record 0 of "messages": has neither'),
    ('{"messages": [{"id": 1, "date_unixtime": "soon", "text": "x"}]}', '"date_unixtime" should be a whole number'),
    ('{"messages": [{"id": 1, "date_unixtime": "1", "text": "x"}]}', "not a plausible chat time"),
    ('{"messages": [{"id": 1, "date": "yesterday", "text": "x"}]}', "\"date\" is 'yesterday', not a date"),
    ('{"messages": [{"id": 1, "date_unixtime": "1704099600", "text": 7}]}', '"text" should be text or a list'),
    ('{"messages": [{"id": 1, "date_unixtime": "1704099600", "text": [1]}]}', 'a piece of "text" is a number'),
    (
        '{"messages": [{"id": 1, "date_unixtime": "1704099600", "from_id": [], "text": ""}]}',
        '"from_id" should be an id',
    ),
    ('{"about": "x", "chats": {"list": []}}', "with no chats in it"),
    ('{"about": "x", "chats": {"list": [3]}}', 'chat 0 of "chats": each chat should be an object'),
]


@pytest.mark.parametrize(("content", "needle"), BAD_INPUTS)
def test_bad_input(tmp_path: Path, content: str, needle: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ImportFormatError) as info:
        read(path)
    message_text = str(info.value)
    assert needle in message_text
    assert message_text.startswith(str(path))
    assert "\n" not in message_text


def test_binary_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="binary data"):
        read(write(tmp_path, b'{"messages":\n [\x00]}'))
    with pytest.raises(ImportFormatError, match=r":2: is not UTF-8 text \(byte 0xFF\)"):
        read(write(tmp_path, b'{"messages":\n ["\xff"]}'))


def test_too_large(tmp_path: Path) -> None:
    with pytest.raises(FileTooLargeError):
        load_conversation(PERSONAL, "telegram", ImportOptions(max_bytes=100))


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path, PERSONAL.read_text(encoding="utf-8").encode("utf-16"))
    assert len(read(path).messages) == 22


# -------------------------------------------------------------------------------- chat-miner differential
def chatminer_messages(path: Path, chat: str | None = None) -> list[Any]:
    from chatminer.chatparsers import TelegramJsonParser

    logging.getLogger("chatminer.chatparsers").setLevel(logging.WARNING)
    parser = TelegramJsonParser(str(path), chat) if chat else TelegramJsonParser(str(path))
    parser.parse_file()
    return list(parser.parsed_messages._parsed_messages)


@pytest.mark.parametrize("path", [PERSONAL, EXAMPLE])
def test_chatminer_agrees_on_plain_text_messages(path: Path) -> None:
    """Where chat-miner is right (plain-string text), sender, time and text agree exactly."""
    ours = read(path)
    theirs = chatminer_messages(path)
    plain_records = [i for i, r in enumerate(json.loads(path.read_text("utf-8"))["messages"])
                     if r["type"] == "message" and isinstance(r["text"], str) and r["text"]]  # fmt: skip
    assert len(plain_records) >= 6
    by_key = {(m.timestamp.replace(tzinfo=None), m.author): m.message for m in theirs}
    for record in plain_records:
        mine = message(ours, record)
        key = (mine.timestamp.astimezone(UTC).replace(tzinfo=None), ours.sender_name(mine))
        assert by_key[key] == mine.text


def test_chatminer_inserts_spaces_between_entities() -> None:
    """chat-miner joins text pieces with spaces; Telegram's text has none there."""
    ours = read(PERSONAL)
    theirs = {m.timestamp: m.message for m in chatminer_messages(PERSONAL)}
    mine = message(ours, 1)
    assert mine.text == "I can't tonight, really tired"
    assert theirs[mine.timestamp.replace(tzinfo=None)] == "I can't tonight,  really  tired"
    link = message(ours, 9)
    assert link.text == "read this, please"
    assert theirs[link.timestamp.replace(tzinfo=None)] == "read  this , please"


def test_chatminer_drops_calls_and_attachments() -> None:
    ours = read(PERSONAL)
    theirs = chatminer_messages(PERSONAL)
    assert len(theirs) < len(ours.messages)  # service messages (missed calls, pins) are gone
    assert sum(1 for m in ours.messages if m.is_system) == 4
    by_time = {m.timestamp: m for m in theirs}
    photo = message(ours, 6)
    assert photo.attachments and by_time[photo.timestamp.replace(tzinfo=None)].message == ""  # no trace of it


def test_chatminer_cannot_read_old_exports() -> None:
    with pytest.raises((KeyError, ValueError)):
        chatminer_messages(OLD)
    assert len(read(OLD).messages) == 4


# -------------------------------------------------------------------------------------------- properties
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def only_our_errors(path: Path, options: ImportOptions | None = None) -> None:
    raises_only_our_errors(lambda: load_conversation(path, "telegram", options))


@FUZZ
@given(data=st.binary(max_size=1500))
def test_random_bytes_raise_only_our_errors(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    only_our_errors(write(tmp_path_factory.mktemp("tg"), data))


@FUZZ
@given(seed=st.integers(0, 2**32), new=json_values, fixture=st.sampled_from([PERSONAL, FULL, OLD]))
def test_mutated_fixtures_raise_only_our_errors(
    tmp_path_factory: pytest.TempPathFactory, seed: int, new: Any, fixture: Path
) -> None:
    text = fixture.read_text("utf-8").replace("\\x0B", "\\u000b")
    original = json.loads(text)
    where = random.Random(seed).choice(paths_in(original))
    path = write(tmp_path_factory.mktemp("tg"), json.dumps(replaced(original, where, new)))
    only_our_errors(path, ImportOptions(chat="Book club" if fixture == FULL else None))


@FUZZ
@given(cut=st.integers(0, 7000), junk=st.binary(max_size=20))
def test_damaged_fixture_raise_only_our_errors(tmp_path_factory: pytest.TempPathFactory, cut: int, junk: bytes) -> None:
    data = PERSONAL.read_bytes()
    only_our_errors(write(tmp_path_factory.mktemp("tg"), data[:cut] + junk + data[cut + len(junk) :]))
