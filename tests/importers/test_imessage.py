"""iMessage importer: imessage-exporter TXT files and chat.db databases (built here from SQL, never committed
as a binary). Golden files, what a user sees, read-only access, bad input, sniffing and properties."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bondlens.errors import BondlensError, ImportFormatError
from bondlens.importers import ImportOptions, detect_format, load_conversation
from bondlens.importers.base import read_sample
from bondlens.importers.imessage import IMPORTER, apple_time, typedstream_text
from bondlens.model import Conversation
from tests.conftest import EXAMPLES
from tests.golden import DATA, check_golden, conversation_json

IM_DIR = DATA / "imessage"
SCHEMA = (IM_DIR / "chat_db_schema.sql").read_text(encoding="utf-8")
ROWS = (IM_DIR / "chat_db_data.sql").read_text(encoding="utf-8")
TXT_FILES = ["Jordan Reyes.txt", "Saturday plans.txt", "+15555550177.txt"]


def build_chat_db(folder: Path, name: str = "chat.db", extra_sql: str = "") -> Path:
    path = folder / name
    conn = sqlite3.connect(path)
    try:
        conn.executescript(SCHEMA + ROWS + extra_sql)
        conn.commit()
    finally:
        conn.close()
    return path


@pytest.fixture
def chat_db(tmp_path: Path) -> Path:
    return build_chat_db(tmp_path)


def typedstream(text: str) -> bytes:
    """An attributedBody blob as Messages writes it (NSAttributedString archived as a typedstream)."""
    raw = text.encode("utf-8")
    n = len(raw)
    size = (
        bytes([n])
        if n < 0x80
        else (b"\x81" + n.to_bytes(2, "little") if n < 0x8000 else b"\x82" + n.to_bytes(4, "little"))
    )
    return (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject\x00"
        b"\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+" + size + raw + b"\x86\x84\x02iI\x01\x05\x92\x84\x84\x84"
        b"\x0cNSDictionary\x00\x94\x84\x01i\x01\x92\x86\x86"
    )


def read(path: Path, chat: str | None = None) -> Conversation:
    return IMPORTER.read(path, ImportOptions(chat=chat))


def check_db_golden(db: Path, chat: str, expected: Path) -> Conversation:
    """Like tests.golden.check_golden, without the database's hash and size (SQLite versions write different
    bytes for the same SQL)."""
    conversation = load_conversation(db, "imessage", ImportOptions(chat=chat))
    actual = conversation_json(conversation)
    del actual["header"]["source"]["sha256"], actual["header"]["source"]["size"]
    if os.environ.get("BONDLENS_UPDATE_GOLDEN") == "1":
        expected.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert actual == json.loads(expected.read_text(encoding="utf-8"))
    return conversation


# --- golden files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TXT_FILES)
def test_golden_txt(name: str) -> None:
    conversation = check_golden(IM_DIR / name, "imessage")
    assert conversation.naive_timestamps


@pytest.mark.parametrize(
    ("chat", "golden"),
    [
        ("+15555550142", "chat_db.jordan.expected.json"),
        ("Saturday plans", "chat_db.group.expected.json"),
        ("riley@example.com", "chat_db.riley.expected.json"),
    ],
)
def test_golden_chat_db(chat_db: Path, chat: str, golden: str) -> None:
    conversation = check_db_golden(chat_db, chat, IM_DIR / golden)
    assert not conversation.naive_timestamps


def test_example_file() -> None:
    conversation = load_conversation(EXAMPLES / "imessage_export.txt")
    assert conversation.format == "imessage"
    assert {p.name for p in conversation.participants} == {"Me", "Morgan Blake"}
    assert len(conversation.user_messages()) == 12


# --- TXT: what a user sees ------------------------------------------------------------------------------

TXT_SEEN = [
    # file, index, sender name, text, naive local time, attachment kinds, system line?
    ("Jordan Reyes.txt", 0, "Jordan Reyes", "Where are you? You said 9.", "2026-03-12 21:15:07", [], False),
    ("Jordan Reyes.txt", 1, "Me", "Still at work, sorry 😔\nleaving in 10", "2026-03-12 21:16:40", [], False),
    ("Jordan Reyes.txt", 2, "Jordan Reyes", "Don't bother.\n\nI'll eat alone.", "2026-03-12 21:20:02", [], False),
    ("Jordan Reyes.txt", 3, "Me", "Emphasized “Don't bother. I'll eat alone.”", "2026-03-12 21:20:02", [], True),
    (
        "Jordan Reyes.txt",
        4,
        "Jordan Reyes",
        "I'm sorry about last night ❤️ you know I just miss you",
        "2026-03-13 07:45:30",
        ["image"],
        False,
    ),
    ("Jordan Reyes.txt", 6, "Jordan Reyes", "Loved “It's fine. Dinner Friday?”", "2026-03-13 08:30:00", [], True),
    ("Jordan Reyes.txt", 7, "Jordan Reyes", "Friday. Don't be late this time", "2026-03-13 10:35:11", [], False),
    ("Jordan Reyes.txt", 8, "Jordan Reyes", "Who were you with? Tell me the truth.", "2026-03-14 18:05:44", [], False),
    (
        "Jordan Reyes.txt",
        9,
        "Jordan Reyes",
        "Edited; earlier version: “Who were you with?”",
        "2026-03-14 18:05:44",
        [],
        True,
    ),
    (
        "Jordan Reyes.txt",
        10,
        "Jordan Reyes",
        "They unsent this message part 30 seconds after sending!",
        "2026-03-14 18:07:02",
        [],
        True,
    ),
    (
        "Jordan Reyes.txt",
        11,
        "Me",
        "Transcription: I'm on my way, please stop calling",
        "2026-03-14 18:10:00",
        ["voice"],
        False,
    ),
    ("Jordan Reyes.txt", 12, "Jordan Reyes", "You're nothing without me.", "2026-03-14 18:12:30", [], False),
    ("Jordan Reyes.txt", 13, "Me", "", "2026-03-14 18:13:00", ["sticker"], False),
    (
        "Jordan Reyes.txt",
        14,
        "Jordan Reyes",
        "I'm sorry. I love you. Please don't leave.\n    indented like a poem",
        "2026-03-14 23:58:09",
        [],
        False,
    ),
    (
        "Saturday plans.txt",
        0,
        "Riley Chen",
        "Riley Chen renamed the conversation to Saturday plans",
        "2026-03-10 19:00:00",
        [],
        True,
    ),
    (
        "Saturday plans.txt",
        4,
        "Jordan Reyes",
        "Reacted 👀 to “Who is coming Saturday?”",
        "2026-03-10 19:01:12",
        [],
        True,
    ),
    ("Saturday plans.txt", 5, "+15555550199", "We are. Both of us.", "2026-03-10 19:02:40", [], False),
    ("Saturday plans.txt", 6, "Me", "I might have to work", "2026-03-10 19:03:00", ["image"], False),
    ("Saturday plans.txt", 7, "Riley Chen", "Laughed at an attachment", "2026-03-10 19:03:00", [], True),
    ("Saturday plans.txt", 10, "Me", "You left the conversation.", "2026-03-10 19:05:00", [], True),
    ("+15555550177.txt", 1, "Me", "It was just a photo with friends.", "2026-02-02 14:23:01", [], False),
    (
        "+15555550177.txt",
        2,
        "+15555550177",
        "Disliked “It was just a photo with friends.”",
        "2026-02-02 14:23:01",
        [],
        True,
    ),
    ("+15555550177.txt", 3, "+15555550177", "Explain this.", "2026-02-03 16:30:00", ["other"], False),
]


@pytest.mark.parametrize(("name", "index", "sender", "text", "when", "kinds", "system"), TXT_SEEN)
def test_txt_what_a_user_sees(
    name: str, index: int, sender: str, text: str, when: str, kinds: list[str], system: bool
) -> None:
    conversation = read(IM_DIR / name)
    message = conversation.messages[index]
    assert conversation.sender_name(message) == sender
    assert message.text == text
    assert message.timestamp == datetime.fromisoformat(when)
    assert [a.kind for a in message.attachments] == kinds
    assert message.is_system is system


def test_txt_replies_are_kept_once_where_they_were_sent() -> None:
    conversation = read(IM_DIR / "Jordan Reyes.txt")
    texts = [m.text for m in conversation.messages]
    assert texts.count("Friday. Don't be late this time") == 1
    assert not any("responded to an earlier message" in t or "deleted from the conversation" in t for t in texts)
    assert not any("Sent with" in t or t.startswith("Tapbacks") for t in texts)


def test_txt_source_lines_point_at_the_time_line() -> None:
    lines = (IM_DIR / "Jordan Reyes.txt").read_text(encoding="utf-8").split("\n")
    conversation = read(IM_DIR / "Jordan Reyes.txt")
    for message in conversation.user_messages():
        assert message.source_line is not None
        assert lines[message.source_line - 1].startswith(("Mar 12", "Mar 13", "Mar 14"))


def test_txt_custom_owner_name_is_recognised() -> None:
    conversation = read(IM_DIR / "+15555550177.txt")
    assert [p.id for p in conversation.participants] == ["me", "+15555550177"]
    assert conversation.participant("+15555550177").handle == "+15555550177"
    assert conversation.message_counts() == {"+15555550177": 2, "me": 2}
    assert any("Alex" in w for w in conversation.warnings)


def test_txt_deleted_marker_is_a_warning_not_text() -> None:
    conversation = read(IM_DIR / "Jordan Reyes.txt")
    assert any("deleted from the conversation" in w for w in conversation.warnings)


@pytest.mark.parametrize(
    ("content", "needle", "line"),
    [
        ("Hello there\nthis is not an export\n", "should start with its time", 1),
        ("Feb 30, 2026  9:15:07 PM\nJordan\nhi\n", "impossible message time", 1),
        ("Mar 12, 2026 13:15:07 PM\nJordan\nhi\n", "impossible hour", 1),
        ("Mar 12, 2026  9:15:07 PM\n", "not followed by the sender", 1),
        ("Mar 12, 2026  9:15:07 PM\nJordan\nhi\n\nMar 12, 2026  9:16:07 PM\n\n", "not followed by the sender", 5),
        ("Mar 12, 2026  9:15:07 PM\nJordan\n\xff\n", "not UTF-8", 3),
        ("\n\n\n", "no messages found", None),
    ],
)
def test_txt_bad_input(tmp_path: Path, content: str, needle: str, line: int | None) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(
        content.encode("utf-8", errors="surrogateescape") if "\xff" not in content else content.encode("latin-1")
    )
    with pytest.raises(ImportFormatError) as info:
        read(path)
    assert needle in str(info.value)
    assert str(info.value).startswith(str(path))
    assert info.value.line == line


def test_txt_crlf_and_bom(tmp_path: Path) -> None:
    text = (IM_DIR / "Jordan Reyes.txt").read_text(encoding="utf-8")
    path = tmp_path / "Jordan Reyes.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    original = read(IM_DIR / "Jordan Reyes.txt")
    converted = read(path)
    assert [(m.sender, m.text, m.timestamp) for m in converted.messages] == [
        (m.sender, m.text, m.timestamp) for m in original.messages
    ]


# --- chat.db: what a user sees --------------------------------------------------------------------------


def test_db_several_chats_without_chat_lists_them(chat_db: Path) -> None:
    with pytest.raises(ImportFormatError) as info:
        read(chat_db)
    message = str(info.value)
    assert message.startswith(str(chat_db)) and "--chat" in message
    assert "+15555550142 (SMS/iMessage, 14 messages)" in message
    assert "group 'Saturday plans' (6 messages)" in message
    assert "riley@example.com (iMessage, 2 messages)" in message
    assert "+15555550100" not in message  # a chat without messages is not offered


@pytest.mark.parametrize(
    ("chat", "title"),
    [
        ("+15555550142", "+15555550142"),
        ("(555) 555-0142", "+15555550142"),
        ("RILEY@example.com", "riley@example.com"),
        ("saturday plans", "Saturday plans"),
        ("chat550142550188", "Saturday plans"),
        ("+15555550142, +15555550188", "Saturday plans"),
    ],
)
def test_db_chat_option(chat_db: Path, chat: str, title: str) -> None:
    assert read(chat_db, chat).title == title


def test_db_chat_that_matches_nothing(chat_db: Path) -> None:
    with pytest.raises(ImportFormatError, match="no conversation matching --chat 'Morgan'"):
        read(chat_db, "Morgan")


def test_db_same_number_over_imessage_and_sms_is_one_conversation(chat_db: Path) -> None:
    conversation = read(chat_db, "+15555550142")
    sms = next(m for m in conversation.messages if m.source_record == 5)
    assert sms.sender == "+15555550142"
    assert sms.text == "I'm sorry about last night ❤️"  # the attachment placeholder U+FFFC is gone
    assert [(a.kind, a.name, a.mime_type) for a in sms.attachments] == [("image", "IMG_4471.HEIC", "image/heic")]
    assert [p.id for p in conversation.participants] == ["+15555550142", "me"]


DB_SEEN = [
    # ROWID, sender, text, UTC time, attachment kinds, system line?
    (1, "+15555550142", "Where are you? You said 9.", "2026-03-12 21:15:07", [], False),
    (3, "+15555550142", "Don't bother.\nI'll eat alone.", "2026-03-12 21:20:02", [], False),  # attributedBody only
    (4, "me", "Emphasized “Don't bother. I'll eat alone.”", "2026-03-12 21:20:30", [], True),
    (6, "me", "Loved “I'm sorry about last night ❤️”", "2026-03-13 07:50:00", [], True),  # text made from the target
    (8, "+15555550142", "+15555550142 unsent a message", "2026-03-14 18:07:02", [], True),
    (9, "me", "", "2026-03-14 18:10:00", ["voice"], False),
    (10, "+15555550142", "You're nothing without me.", "2026-03-14 18:12:30", [], False),  # recently deleted
    (11, "+15555550142", "", "2026-03-14 18:20:00", [], False),  # undecodable attributedBody
    (13, "me", "Reacted 🙏 to “You're nothing without me.”", "2026-03-14 23:58:09", [], True),
    (14, "+15555550142", "I'm sorry. I love you.\n\nPlease don't leave.", "2026-03-15 00:02:00", [], False),
    (15, "+15555550142", "", "2026-03-15 08:00:00", ["other"], False),  # an Apple Pay app message
]


@pytest.mark.parametrize(("rowid", "sender", "text", "when", "kinds", "system"), DB_SEEN)
def test_db_what_a_user_sees(
    chat_db: Path, rowid: int, sender: str, text: str, when: str, kinds: list[str], system: bool
) -> None:
    conversation = read(chat_db, "+15555550142")
    message = next(m for m in conversation.messages if m.source_record == rowid and m.is_system is system)
    assert message.sender == sender
    assert message.text == text
    assert message.timestamp == datetime.fromisoformat(when).replace(tzinfo=UTC)
    assert [a.kind for a in message.attachments] == kinds


def test_db_long_attributed_body_uses_the_two_byte_length(chat_db: Path) -> None:
    message = next(m for m in read(chat_db, "+15555550142").messages if m.source_record == 2)
    assert len(message.text.encode()) > 127
    assert message.text.startswith("I know you're upset.")
    assert message.text.endswith("\nleaving in 10 😔")


def test_db_edit_history_is_kept_as_a_system_line(chat_db: Path) -> None:
    messages = [m for m in read(chat_db, "+15555550142").messages if m.source_record == 7]
    assert [(m.text, m.is_system) for m in messages] == [
        ("Who were you with? Tell me the truth.", False),
        ("Edited; earlier version: “Who were you with?”", True),
    ]


def test_db_warnings_count_what_was_unusual(chat_db: Path) -> None:
    warnings = read(chat_db, "+15555550142").warnings
    assert any("1 message was in Recently Deleted" in w for w in warnings)
    assert any("text of 1 message could not be decoded" in w for w in warnings)


def test_db_group_events_are_system_lines(chat_db: Path) -> None:
    conversation = read(chat_db, "Saturday plans")
    system = [(m.sender, m.text) for m in conversation.messages if m.is_system]
    assert system == [
        ("me", "You renamed the conversation to Saturday plans"),
        ("me", "You added +15555550188 to the conversation."),
        ("+15555550188", "+15555550188 changed the group photo."),
    ]
    assert {p.id for p in conversation.participants} == {"me", "+15555550142", "+15555550188"}


# --- chat.db: read-only, no trace -----------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_db_is_read_without_writing_anything(tmp_path: Path) -> None:
    folder = tmp_path / "Messages"
    folder.mkdir()
    db = build_chat_db(folder)
    before = snapshot(folder)
    mtime = db.stat().st_mtime_ns
    read(db, "+15555550142")
    detect_format(db)
    with pytest.raises(ImportFormatError):
        read(db)
    assert snapshot(folder) == before  # same files (no -wal, -shm or -journal), same bytes
    assert db.stat().st_mtime_ns == mtime


def test_db_read_only_file_in_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "Messages"
    folder.mkdir()
    db = build_chat_db(folder)
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        assert read(db, "riley@example.com").messages
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)


def test_db_copied_with_its_wal_file_includes_the_newest_messages(tmp_path: Path) -> None:
    live = tmp_path / "live"
    copy = tmp_path / "copy"
    live.mkdir()
    copy.mkdir()
    db = build_chat_db(live)
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute(
            "INSERT INTO message (ROWID, guid, text, handle_id, date, is_from_me) "
            "VALUES (99, 'NEWEST', 'only in the WAL so far', 3, 795300000000000000, 0)"
        )
        conn.execute("INSERT INTO chat_message_join (chat_id, message_id) VALUES (3, 99)")
        conn.commit()
        for item in live.iterdir():  # what a user gets copying ~/Library/Messages while Messages runs
            shutil.copyfile(item, copy / item.name)
    finally:
        conn.close()
    assert (copy / "chat.db-wal").stat().st_size > 0
    before = snapshot(copy)
    conversation = read(copy / "chat.db", "riley@example.com")
    assert conversation.messages[-1].text == "only in the WAL so far"
    assert any("chat.db-wal" in w for w in conversation.warnings)
    assert snapshot(copy) == before


def test_db_with_a_wal_that_cannot_be_copied_is_read_alone_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = build_chat_db(tmp_path)
    (tmp_path / "chat.db-wal").write_bytes(b"not really a wal")
    before = snapshot(tmp_path)

    def no_room(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", no_room)
    conversation = read(db, "riley@example.com")
    assert len(conversation.messages) == 2
    assert any("could not be copied" in w for w in conversation.warnings)
    assert snapshot(tmp_path) == before


# --- chat.db: bad input ---------------------------------------------------------------------------------


def test_db_that_is_not_imessage(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('hello')")
    conn.commit()
    conn.close()
    with pytest.raises(ImportFormatError, match=r"not an iMessage chat\.db") as info:
        read(path)
    assert str(info.value).startswith(str(path))
    assert IMPORTER.sniff(read_sample(path)) == 0.0


def test_db_without_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT); CREATE TABLE handle (id TEXT);")
    conn.close()
    with pytest.raises(ImportFormatError, match="lacks date, handle_id, is_from_me, text"):
        read(path)


@pytest.mark.parametrize("keep", [100, 4096, 20000])
def test_db_truncated_is_a_clear_error(chat_db: Path, tmp_path: Path, keep: int) -> None:
    cut = tmp_path / "cut" / "chat.db"
    cut.parent.mkdir()
    cut.write_bytes(chat_db.read_bytes()[:keep])
    with pytest.raises(ImportFormatError) as info:
        read(cut, "+15555550142")
    assert str(info.value).startswith(str(cut))
    assert "\n" not in str(info.value)


def test_db_corrupt_pages_are_a_clear_error(chat_db: Path, tmp_path: Path) -> None:
    data = bytearray(chat_db.read_bytes())
    for offset in range(4096, len(data), 997):
        data[offset] ^= 0x5A
    bad = tmp_path / "bad" / "chat.db"
    bad.parent.mkdir()
    bad.write_bytes(bytes(data))
    try:
        read(bad, "+15555550142")
    except ImportFormatError as exc:
        assert str(exc).startswith(str(bad))


def test_db_with_an_unreadable_date(tmp_path: Path) -> None:
    db = build_chat_db(tmp_path, extra_sql="UPDATE message SET date = 'soon' WHERE ROWID = 20;")
    with pytest.raises(ImportFormatError, match="ROWID 20 has an unreadable date 'soon'"):
        read(db, "riley@example.com")


# --- typedstream and dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Noted", "", "multi\nline ❤️", "x" * 127, "é" * 100, "long " * 2000, "𝖍𝖊𝖑𝖑𝖔", "\ufffcphoto caption"]
)
def test_typedstream_round_trip(text: str) -> None:
    assert typedstream_text(typedstream(text)) == text


@pytest.mark.parametrize(
    "blob",
    [
        None,
        b"",
        b"streamtyped",
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x08NSString\x01\x94\x84\x01+",  # no length
        b"\x04\x0bstreamtyped\x84\x84\x84\x08NSString\x01\x94\x84\x01+\x81\xff\x7fshort",  # length past the end
        b"\x04\x0bstreamtyped\x84\x84\x84\x08NSString\x01\x94\x84\x01+\x85",  # a tag, not a length
    ],
)
def test_typedstream_garbage_gives_none(blob: bytes | None) -> None:
    assert typedstream_text(blob) is None


def test_typedstream_invalid_utf8_is_replaced_not_fatal() -> None:
    blob = typedstream("ok").replace(b"+\x02ok", b"+\x02\xff\xfe")
    assert typedstream_text(blob) == "\ufffd\ufffd"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "2001-01-01 00:00:00"),
        (795204344, "2026-03-14 18:05:44"),  # seconds: macOS 10.12 and older
        (795204344 * 10**9, "2026-03-14 18:05:44"),  # nanoseconds: macOS 10.13 and later
        (795204344 * 10**9 + 999_999_999, "2026-03-14 18:05:44.999999"),
    ],
)
def test_apple_time(value: int, expected: str) -> None:
    assert apple_time(value) == datetime.fromisoformat(expected).replace(tzinfo=UTC)


# --- sniffing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TXT_FILES)
def test_sniff_txt(name: str) -> None:
    assert IMPORTER.sniff(read_sample(IM_DIR / name)) == 0.9
    assert detect_format(IM_DIR / name).name == "imessage"


def test_sniff_db(chat_db: Path) -> None:
    assert IMPORTER.sniff(read_sample(chat_db)) == 0.95
    assert detect_format(chat_db).name == "imessage"


@pytest.mark.parametrize(
    "content",
    [
        b"[12/03/2026, 21:15:07] Jordan: hi\n",
        b"12.03.26, 21:15 - Jordan: hi\n",
        b"Mar 12, 2026  9:15:07 PM\n\nhi\n",
        b"SQLite format 3\x00" + b"\x00" * 200,
        b"\x00\x01\x02",
    ],
)
def test_sniff_rejects_other_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(content)
    assert IMPORTER.sniff(read_sample(path)) == 0.0


# --- properties: nothing but our own errors escapes -----------------------------------------------------

TXT_BYTES = {name: (IM_DIR / name).read_bytes() for name in TXT_FILES}


@st.composite
def damaged(draw: st.DrawFn, source: bytes) -> bytes:
    data = bytearray(source)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        action = draw(st.sampled_from(["truncate", "flip", "cut", "insert"]))
        if action == "truncate":
            del data[at:]
        elif action == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 300))]
        else:
            data[at:at] = draw(
                st.sampled_from(
                    [
                        b"\n",
                        b"\n\n",
                        b"    ",
                        b"Tapbacks:\n",
                        b"Mar 12, 2026  9:15:07 PM\n",
                        b"Edited 1 second later: x\n",
                    ]
                )
            )
    return bytes(data)


def check_only_bondlens_errors(data: bytes, name: str, chat: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            conversation = IMPORTER.read(path, ImportOptions(chat=chat))
        except BondlensError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            assert conversation.messages
        assert isinstance(IMPORTER.sniff(read_sample(path)), float)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(
    data=st.one_of(st.binary(max_size=800), st.sampled_from(sorted(TXT_BYTES)).flatmap(lambda n: damaged(TXT_BYTES[n])))
)
def test_txt_only_bondlens_errors_escape(data: bytes) -> None:
    check_only_bondlens_errors(data, "chat.txt")


@pytest.fixture(scope="module")
def db_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return build_chat_db(Path(folder)).read_bytes()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_db_only_bondlens_errors_escape(db_bytes: bytes, data: st.DataObject) -> None:
    damaged_db = data.draw(damaged(db_bytes))
    if not damaged_db.startswith(b"SQLite format 3\x00"):
        damaged_db = b"SQLite format 3\x00" + damaged_db[16:]
    chat = data.draw(st.sampled_from(["+15555550142", "Saturday plans", None]))
    check_only_bondlens_errors(damaged_db, "chat.db", chat)


@settings(max_examples=80, deadline=None)
@given(
    messages=st.lists(
        st.tuples(
            st.booleans(),
            st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=30).filter(
                lambda t: t.strip() == t
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_db_text_and_attributed_body_round_trip(messages: list[tuple[bool, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = build_chat_db(Path(folder))
        conn = sqlite3.connect(db)
        for i, (as_body, text) in enumerate(messages):
            conn.execute(
                "INSERT INTO message (ROWID, guid, text, attributedBody, handle_id, date, is_from_me) "
                "VALUES (?, ?, ?, ?, 3, ?, ?)",
                (100 + i, f"G{i}", None if as_body else text, typedstream(text) if as_body else None,
                 795300000 * 10**9 + i, i % 2),
            )  # fmt: skip
            conn.execute("INSERT INTO chat_message_join (chat_id, message_id) VALUES (3, ?)", (100 + i,))
        conn.commit()
        conn.close()
        conversation = read(db, "riley@example.com")
    got = [m.text for m in conversation.messages if (m.source_record or 0) >= 100]
    assert got == [t.replace("\ufffc", "").replace("\ufffd", "").strip() for _, t in messages]


def test_db_in_a_folder_with_uri_characters(tmp_path: Path) -> None:
    folder = tmp_path / "Messages #2 (copy) 100%?x=1"
    folder.mkdir()
    db = build_chat_db(folder)
    before = snapshot(folder)
    assert read(db, "riley@example.com").messages[0].text == "Are you okay? Call me when you can"
    assert IMPORTER.sniff(read_sample(db)) == 0.95
    assert snapshot(folder) == before
