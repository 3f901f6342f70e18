"""CSV and JSONL importers: golden files, what a user sees, bad input, sniffing, and properties."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bondlens.errors import BondlensError, ImportFormatError
from bondlens.importers import ColumnMap, ImportOptions, load_conversation
from bondlens.importers.base import read_sample
from bondlens.importers.tabular import CSV_IMPORTER, JSONL_IMPORTER, attachment_for
from bondlens.importers.timeparse import TimestampError, parse_timestamp
from bondlens.importers.transcript import IMPORTER as TRANSCRIPT_IMPORTER
from bondlens.model import Attachment, Conversation
from bondlens.serialize import message_record
from tests.conftest import EXAMPLES
from tests.golden import DATA, check_golden

CSV_DIR = DATA / "csv"
JSONL_DIR = DATA / "jsonl"
CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))

GOLDEN: list[tuple[Path, str, ImportOptions]] = [
    (CSV_DIR / "iso_offsets.csv", "csv", ImportOptions()),
    (CSV_DIR / "semicolon.csv", "csv", ImportOptions(columns=ColumnMap("Date", "From", "Message", "%d.%m.%Y %H:%M"))),
    (CSV_DIR / "multiline_quoted.csv", "csv", ImportOptions()),
    (CSV_DIR / "unix_ms.tsv", "csv", ImportOptions()),
    (CSV_DIR / "month_first.csv", "csv", ImportOptions(columns=ColumnMap("when", "who", "what", "%m/%d/%Y %I:%M %p"))),
    (
        CSV_DIR / "date_time_columns.csv",
        "csv",
        ImportOptions(columns=ColumnMap("Date+Time", "Sender", "Message", "%d.%m.%Y %H:%M:%S")),
    ),
    (JSONL_DIR / "basic.jsonl", "jsonl", ImportOptions()),
    (JSONL_DIR / "mapped.jsonl", "jsonl", ImportOptions(columns=ColumnMap("ts", "from.name", "body"))),
    (JSONL_DIR / "bondlens_output.jsonl", "jsonl", ImportOptions()),
]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def read_csv(path: Path, **columns: Any) -> Conversation:
    return CSV_IMPORTER.read(path, ImportOptions(columns=ColumnMap(**columns)))


def read_jsonl(path: Path, **columns: Any) -> Conversation:
    return JSONL_IMPORTER.read(path, ImportOptions(columns=ColumnMap(**columns)))


def fails(reader: Any, path: Path, **columns: Any) -> ImportFormatError:
    with pytest.raises(ImportFormatError) as info:
        reader(path, **columns)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message
    return info.value


# --------------------------------------------------------------------------------------------- golden


@pytest.mark.parametrize(("export", "fmt", "options"), GOLDEN, ids=[g[0].name for g in GOLDEN])
def test_golden(export: Path, fmt: str, options: ImportOptions) -> None:
    conversation = check_golden(export, fmt, options)
    assert conversation.format == fmt
    assert all(m.source_line is not None and m.source_record is not None for m in conversation.messages)


def test_every_fixture_has_a_golden_test() -> None:
    tested = {g[0].name for g in GOLDEN}
    on_disk = {p.name for d in (CSV_DIR, JSONL_DIR) for p in d.iterdir() if not p.name.endswith(".expected.json")}
    assert on_disk == tested


# --------------------------------------------------------------------------------------------- what a user sees


def test_iso_offsets_as_a_user_sees_them() -> None:
    c = read_csv(CSV_DIR / "iso_offsets.csv")
    first = c.messages[0]
    assert (c.sender_name(first), first.text) == ("Sam", "Where are you? You said you'd be home by 9.")
    assert first.timestamp == datetime(2026, 3, 27, 21, 15, tzinfo=CET)
    assert not c.naive_timestamps
    photo = c.messages[2]
    assert photo.text == "" and photo.attachments == (Attachment("image", "IMG_0412.jpg"),)
    system = c.messages[4]
    assert system.is_system and system.sender is None and system.text == 'Robin changed the group name to "us"'
    assert c.messages[5].timestamp.utcoffset() == timedelta(hours=2)  # the offset changes with summer time
    assert [a.kind for a in c.messages[6].attachments] == ["voice", "document"]
    assert c.messages[7].timestamp == datetime(2026, 3, 29, 9, 45, tzinfo=UTC)
    assert [m.source_line for m in c.messages] == list(range(2, 10))
    assert c.warnings == ()


@pytest.mark.parametrize(
    ("name", "columns", "index", "sender", "text", "when", "line"),
    [
        ("semicolon.csv", {"timestamp": "Date", "sender": "From", "text": "Message",
                           "timestamp_format": "%d.%m.%Y %H:%M"},
         1, "Robin", "Tut mir leid; der Bus kam nicht", datetime(2026, 3, 12, 21, 16), 3),
        ("multiline_quoted.csv", {}, 0, "Sam", "First line\nsecond line\n\nafter a blank line",
         datetime(2026, 3, 12, 21, 15), 3),
        ("multiline_quoted.csv", {}, 1, "Robin", 'She said "fine", then left', datetime(2026, 3, 12, 21, 17), 7),
        ("unix_ms.tsv", {}, 1, "Robin", "yes", datetime(2026, 3, 12, 20, 16, 1, 250000, tzinfo=UTC), 3),
        ("month_first.csv", {"timestamp": "when", "sender": "who", "text": "what",
                             "timestamp_format": "%m/%d/%Y %I:%M %p"},
         2, "Sam", "I waited up", datetime(2026, 3, 13, 0, 5), 4),
    ],
)  # fmt: skip
def test_csv_messages(
    name: str, columns: dict[str, Any], index: int, sender: str, text: str, when: datetime, line: int
) -> None:
    c = read_csv(CSV_DIR / name, **columns)
    m = c.messages[index]
    assert (c.sender_name(m), m.text, m.timestamp, m.source_line, m.source_record) == (
        sender,
        text,
        when,
        line,
        index,
    )
    assert c.naive_timestamps == (when.tzinfo is None)


@pytest.mark.parametrize(
    ("name", "columns", "index", "sender", "text", "when", "attachments"),
    [
        ("basic.jsonl", {}, 1, "Robin", "On the train.\nSignal is bad, will call later",
         datetime(2026, 3, 12, 20, 16, 10, tzinfo=UTC), ()),
        ("basic.jsonl", {}, 2, "Sam", "", datetime(2026, 3, 12, 20, 17, tzinfo=UTC),
         (Attachment("image", "IMG_0415.jpg"),)),
        ("mapped.jsonl", {"timestamp": "ts", "sender": "from.name", "text": "body"}, 1, "Robin",
         "yes, can't sleep", datetime(2026, 3, 12, 20, 16, 2, tzinfo=UTC),
         (Attachment("voice", "voice_0002.ogg", "audio/ogg"),)),
        ("mapped.jsonl", {"timestamp": "ts", "sender": "from.name", "text": "body"}, 3, "Sam", "",
         datetime(2026, 3, 12, 20, 23, 20, tzinfo=UTC), (Attachment("sticker"),)),
        ("bondlens_output.jsonl", {}, 0, "Sam Okafor", "Dinner is cold.", datetime(2026, 3, 12, 21, 15), ()),
    ],
)  # fmt: skip
def test_jsonl_messages(
    name: str,
    columns: dict[str, Any],
    index: int,
    sender: str,
    text: str,
    when: datetime,
    attachments: tuple[Attachment, ...],
) -> None:
    c = read_jsonl(JSONL_DIR / name, **columns)
    m = c.messages[index]
    assert (c.sender_name(m), m.text, m.timestamp, m.attachments) == (sender, text, when, attachments)


def test_jsonl_system_line_and_blank_lines() -> None:
    c = read_jsonl(JSONL_DIR / "basic.jsonl")
    system = c.messages[3]
    assert system.is_system and system.sender is None and system.source_line == 5  # line 3 is blank
    assert c.messages[4].timestamp == datetime(2026, 3, 12, 20, 20, 33, 500000, tzinfo=UTC)


def test_our_own_jsonl_output_reads_back(tmp_path: Path) -> None:
    original = read_csv(CSV_DIR / "iso_offsets.csv")
    lines = [json.dumps(message_record(original, m), ensure_ascii=False) for m in original.messages]
    again = read_jsonl(write(tmp_path, "again.jsonl", "\n".join(lines) + "\n"))
    key = [(m.timestamp, original.sender_name(m), m.text, m.attachments, m.is_system) for m in original.messages]
    assert [(m.timestamp, again.sender_name(m), m.text, m.attachments, m.is_system) for m in again.messages] == key


def test_empty_messages_are_kept_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "timestamp,sender,text\n2026-03-12 21:15,Sam,\n2026-03-12 21:16,Robin,ok\n")
    c = read_csv(path)
    assert [m.text for m in c.messages] == ["", "ok"]
    assert c.warnings == ("1 message(s) have no text and no attachment (kept as empty messages), first at line 2",)


def test_times_going_backwards_are_kept_in_file_order_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", "timestamp,sender,text\n2026-03-12 21:15,Sam,b\n2026-03-12 21:00,Robin,a\n")
    c = read_csv(path)
    assert [m.text for m in c.messages] == ["b", "a"]
    assert "first at line 3" in c.warnings[0]


def test_header_names_match_ignoring_case_and_spaces(tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "Timestamp, Sender, Text\n2026-03-12 21:15,Sam,hi\n")
    assert read_csv(path).messages[0].text == "hi"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("IMG_1.JPG", ("image", "IMG_1.JPG")),
        ("clip.mp4", ("video", "clip.mp4")),
        ("PTT-20260312-WA0001.opus", ("voice", "PTT-20260312-WA0001.opus")),
        ("song.mp3", ("audio", "song.mp3")),
        ("contract.pdf", ("document", "contract.pdf")),
        ("card.vcf", ("contact", "card.vcf")),
        ("https://cdn.example.net/a/b/photo.png?x=1", ("image", "https://cdn.example.net/a/b/photo.png?x=1")),
        ("funny.gif", ("gif", "funny.gif")),
        ("mystery.xyz", ("other", "mystery.xyz")),
        ("photo", ("image", None)),
        ("<Media omitted>", ("media", None)),
    ],
)
def test_attachment_kinds(cell: str, expected: tuple[str, str | None]) -> None:
    attachment = attachment_for(cell)
    assert (attachment.kind, attachment.name) == expected


def test_explicit_delimiter_and_tab_spelling(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "timestamp\tsender\ttext\n2026-03-12 21:15\tSam\ta,b;c|d\n")
    assert read_csv(path, delimiter="\\t").messages[0].text == "a,b;c|d"
    assert read_csv(path, delimiter="tab").messages[0].text == "a,b;c|d"


def test_excel_sep_line_and_utf16_unicode_text(tmp_path: Path) -> None:
    sep = write(tmp_path, "sep.csv", "sep=;\r\ntimestamp;sender;text\r\n2026-03-12 21:15;Sam;a, b\r\n")
    assert CSV_IMPORTER.sniff(read_sample(sep)) == 0.4
    c = read_csv(sep)
    assert (c.messages[0].text, c.messages[0].source_line) == ("a, b", 3)
    content = 'timestamp\tsender\ttext\r\n2026-03-12 21:15\tSam\tcafé\r\n2026-03-12 21:16\tRobin\t"two\r\nlines"\r\n'
    utf16 = write(tmp_path, "unicode.txt", content.encode("utf-16"))
    c = load_conversation(utf16)
    assert c.format == "csv"
    assert [(m.source_line, m.text) for m in c.messages] == [(2, "café"), (3, "two\nlines")]


def test_header_match_beats_the_sniffer(tmp_path: Path) -> None:
    # every text has commas, which makes csv.Sniffer vote for ','; the header says ';'
    rows = "".join(f"2026-03-12 21:{i:02d};Sam;one, two, three, four, {i}\n" for i in range(10))
    path = write(tmp_path, "s.csv", "timestamp;sender;text\n" + rows)
    assert read_csv(path).messages[3].text == "one, two, three, four, 3"


def test_progress_is_reported() -> None:
    for importer, path in ((CSV_IMPORTER, CSV_DIR / "iso_offsets.csv"), (JSONL_IMPORTER, JSONL_DIR / "basic.jsonl")):
        seen: list[tuple[int, int]] = []

        def progress(done: int, total: int, seen: list[tuple[int, int]] = seen) -> None:
            seen.append((done, total))

        importer.read(path, ImportOptions(progress=progress))
        assert seen and seen[-1] == (path.stat().st_size, path.stat().st_size)


# --------------------------------------------------------------------------------------------- bad input


def test_missing_column_lists_the_columns_and_the_flag(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "date,author,message\n2026-03-12 21:15,Sam,hi\n")
    error = fails(read_csv, path)
    reason = error.reason
    assert "'timestamp' (map it with --timestamp-col)" in reason
    assert "'sender' (map it with --sender-col)" in reason
    assert "'text' (map it with --text-col)" in reason
    assert "'date', 'author', 'message'" in reason
    assert read_csv(path, timestamp="date", sender="author", text="message").messages[0].text == "hi"


def test_separate_date_and_time_columns(tmp_path: Path) -> None:
    path = CSV_DIR / "date_time_columns.csv"
    reason = fails(read_csv, path, sender="Sender", text="Message").reason
    assert reason.endswith("for separate date and time columns use --timestamp-col 'Date+Time'")
    c = read_csv(path, timestamp="Date+Time", sender="Sender", text="Message", timestamp_format="%d.%m.%Y %H:%M:%S")
    assert c.messages[1].timestamp == datetime(2026, 3, 6, 18, 3, 40)
    assert c.messages[2].attachments == (Attachment("image", "IMG-20260306-WA0007.jpg"),)
    jsonl = write(tmp_path, "dt.jsonl", '{"date": "2026-03-06", "time": "18:02", "from": "Sam", "msg": "hi"}\n')
    error = fails(read_jsonl, jsonl, sender="from", text="msg")
    assert "--timestamp-col 'date+time'" in error.reason
    assert read_jsonl(jsonl, timestamp="date+time", sender="from", text="msg").messages[0].timestamp == datetime(
        2026, 3, 6, 18, 2
    )


def test_missing_one_column_names_only_that_one(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "timestamp;sender;body\n2026-03-12 21:15;Sam;hi\n")
    reason = fails(read_csv, path).reason
    assert reason.startswith("no column 'text' (map it with --text-col)")
    assert "split on ';'" in reason and "'body'" in reason


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("timestamp,sender,text\n2026-03-12 21:15,Sam,hi\n12/03/2026 21:16,Sam,x\n", 3,
         ["'12/03/2026 21:16'", "--timestamp-format", "'%d/%m/%Y %H:%M' if the day comes first",
          "'%m/%d/%Y %H:%M' if the month does"]),
        ("timestamp,sender,text\n12.03.26,Sam,hi\n", 2, ["'%d.%m.%y' if the day comes first"]),
        ("timestamp,sender,text\n2026-03-12 21:15,Sam,\"a\nb\"\nyesterday,Sam,x\n", 4, ["'yesterday'"]),
        ("timestamp,sender,text\n2026-03-12T21:15+01:00,Sam,hi\n2026-03-12 21:16,Sam,x\n", 3,
         ["has no time zone", "from line 2", "cannot be ordered safely"]),
        ("timestamp,sender,text\n2026-03-12 21:15,Sam,hi\n1773346500,Sam,x\n", 3, ["has a time zone", "from line 2"]),
        ("timestamp,sender,text\n2026-03-12 21:15,Sam,hi, there\n", 2, ["4 fields", "not quoted"]),
        ("timestamp,sender,text\n2026-03-12 21:15,Sam\n", 2, ["2 fields", "'text'"]),
        ('timestamp,sender,text\n2026-03-12 21:15,Sam,"never closed\nmore\n', 2, ["never closed"]),
        ('timestamp,sender,text\n2026-03-12 21:15,Sam,"bad "quote" here"\n', 2, ["doubled"]),
        ("timestamp,sender,text\n2026-03-12 21:15,,hi\n", 2, ["sender", "is empty"]),
        ("timestamp,sender,text,system\n2026-03-12 21:15,Sam,hi,maybe\n", 2, ["'maybe'", "true or false"]),
        ("timestamp,text,text\n2026-03-12 21:15,a,b\n", 1, ["'text' 2 times"]),
        ("timestamp,sender,text\n5,Sam,hi\n", 2, ["too small"]),
    ],
)  # fmt: skip
def test_bad_csv_names_file_line_and_value(tmp_path: Path, content: str, line: int, words: list[str]) -> None:
    path = write(tmp_path, "bad.csv", content)
    error = fails(read_csv, path)
    assert error.line == line, str(error)
    for word in words:
        assert word in error.reason, str(error)


def test_bad_date_with_a_format_says_check_the_format(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", "timestamp,sender,text\n12.03.2026,Sam,hi\n")
    error = fails(read_csv, path, timestamp_format="%d/%m/%Y")
    assert "does not match --timestamp-format '%d/%m/%Y'" in error.reason and error.line == 2


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("timestamp,sender,text\n", "no messages under it"),
        ("\n\n", "no header row"),
    ],
)
def test_csv_without_messages(tmp_path: Path, content: str, reason: str) -> None:
    assert reason in fails(read_csv, write(tmp_path, "n.csv", content)).reason


def test_csv_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "l1.csv", b"timestamp,sender,text\n2026-03-12 21:15,Sam,caf\xe9\n")
    error = fails(read_csv, path)
    assert error.line == 2 and "UTF-8" in error.reason


def test_bad_delimiter_option(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", "timestamp,sender,text\n2026-03-12 21:15,Sam,hi\n")
    assert "--delimiter" in fails(read_csv, path, delimiter=",,").reason


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ('{"timestamp": "2026-03-12T21:15:00Z", "sender": "Sam", "text": "hi"}\n{"timestamp": "2026-03-12', 2,
         ["not valid JSON", "one JSON object"]),
        ('{"timestamp": "2026-03-12T21:15:00Z", "sender": "Sam", "text": "hi"}\n\n["a", "b"]\n', 3,
         ["a list", "not a JSON object"]),
        ('{"timestamp": "2026-03-12T21:15:00Z", "text": "hi"}\n', 1,
         ["no key 'sender'", "--sender-col", "'timestamp', 'text'"]),
        ('{"timestamp": "2026-03-12T21:15:00Z", "sender": "Sam", "text": 5}\n', 1, ["'text'", "a number"]),
        ('{"timestamp": true, "sender": "Sam", "text": "x"}\n', 1, ["true/false"]),
        ('{"timestamp": "2026-03-12T21:15:00Z", "sender": ["Sam"], "text": "x"}\n', 1, ["sender", "a list"]),
        ('{"timestamp": "noon", "sender": "Sam", "text": "x"}\n', 1, ["'noon'", "--timestamp-format"]),
        ('{"timestamp": 1773346500, "sender": "Sam", "text": "x"}\n'
         '{"timestamp": "2026-03-12 21:00", "sender": "Sam", "text": "y"}\n', 2, ["no time zone", "from line 1"]),
        ('[\n {"timestamp": 1}\n]\n', 1, ["one JSON document spread over many lines"]),
        ('{"timestamp": 1773346500, "sender": "Sam", "text": "x", "system": "perhaps"}\n', 1, ["true or false"]),
        ('{"timestamp": 1773346500, "sender": "Sam", "text": "x", "attachments": [3]}\n', 1, ["a number"]),
        ('{"timestamp": 1773346500, "sender": null, "text": "x"}\n', 1, ["sender", "is empty"]),
        ("[" * 100_000 + "\n", 1, ["nested too deeply"]),
    ],
)  # fmt: skip
def test_bad_jsonl_names_file_line_and_key(tmp_path: Path, content: str, line: int, words: list[str]) -> None:
    error = fails(read_jsonl, write(tmp_path, "bad.jsonl", content))
    assert error.line == line, str(error)
    for word in words:
        assert word in error.reason, str(error)


def test_jsonl_blank_file(tmp_path: Path) -> None:
    assert "no messages" in fails(read_jsonl, write(tmp_path, "b.jsonl", "\n \n")).reason


# --------------------------------------------------------------------------------------------- timestamps


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        ("2026-03-12T21:15:00Z", None, datetime(2026, 3, 12, 21, 15, tzinfo=UTC)),
        ("2026-03-12 21:15:00+01:00", None, datetime(2026, 3, 12, 21, 15, tzinfo=CET)),
        ("2026-03-12T21:15:00.123+0200", None, datetime(2026, 3, 12, 21, 15, 0, 123000, tzinfo=CEST)),
        ("2026-03-12 21:15", None, datetime(2026, 3, 12, 21, 15)),
        ("2026-03-12 21:15:00 UTC", None, datetime(2026, 3, 12, 21, 15, tzinfo=UTC)),
        ("1773346500", None, datetime(2026, 3, 12, 20, 15, tzinfo=UTC)),
        (1773346500, None, datetime(2026, 3, 12, 20, 15, tzinfo=UTC)),
        ("1773346500.5", None, datetime(2026, 3, 12, 20, 15, 0, 500000, tzinfo=UTC)),
        (1773346500123, None, datetime(2026, 3, 12, 20, 15, 0, 123000, tzinfo=UTC)),
        (1773346500123456, None, datetime(2026, 3, 12, 20, 15, 0, 123456, tzinfo=UTC)),
        ("100000000", None, datetime(1973, 3, 3, 9, 46, 40, tzinfo=UTC)),  # smallest seconds value
        ("100000000000", None, datetime(1973, 3, 3, 9, 46, 40, tzinfo=UTC)),  # smallest milliseconds value
        ("1773346500000", "unix_ms", datetime(2026, 3, 12, 20, 15, tzinfo=UTC)),
        ("12/03/2026 21:15", "%d/%m/%Y %H:%M", datetime(2026, 3, 12, 21, 15)),
        ("12.03.2026 21:15 +0100", "%d.%m.%Y %H:%M %z", datetime(2026, 3, 12, 21, 15, tzinfo=CET)),
    ],
)
def test_parse_timestamp(value: str | int, fmt: str | None, expected: datetime) -> None:
    result = parse_timestamp(value, fmt)
    assert result == expected
    assert (result.tzinfo is None) == (expected.tzinfo is None)


@pytest.mark.parametrize(
    "value", ["", "12/03/2026", "99999999", "-1773346500", "5000000000", "nan", "2026-13-40", True, float("inf")]
)
def test_parse_timestamp_refuses(value: str | float | bool) -> None:
    with pytest.raises(TimestampError):
        parse_timestamp(value)


# --------------------------------------------------------------------------------------------- sniffing

WHATSAPP_ANDROID = (
    "12/03/2026, 21:15 - Messages and calls are end-to-end encrypted. No one outside of this chat can read them.\n"
    "12/03/2026, 21:15 - Sam: where are you, seriously, answer\n"
    "12/03/2026, 21:16 - Robin: at Jo's, back by 11\n"
    "12/03/2026, 21:17 - Sam: <Media omitted>\n"
)
WHATSAPP_IOS = (
    "[12/03/2026, 21:15:03] Sam: where are you, seriously\n"
    "[12/03/2026, 21:16:10] Robin: at Jo's, back by 11\n"
    "[12/03/2026, 21:17:00] Sam: ok, fine\n"
)


def sample_of(tmp_path: Path, name: str, content: str) -> Any:
    return read_sample(write(tmp_path, name, content))


@pytest.mark.parametrize(
    ("name", "content", "csv_score", "jsonl_score"),
    [
        ("a.csv", "timestamp,sender,text\n2026-03-12 21:15,Sam,hi\n", 0.4, 0.0),
        ("a.csv", "Date;From;Message\n12.03.2026 21:15;Sam;hi\n", 0.3, 0.0),
        ("a.csv", "id,colour,size\n1,red,4\n2,blue,5\n3,green,6\n", 0.1, 0.0),
        ("a.csv", "id,colour,size\n1,red\n2,blue,5,6\n3,green,6\n", 0.0, 0.0),
        ("a.txt", WHATSAPP_ANDROID, 0.0, 0.0),
        ("a.txt", WHATSAPP_IOS, 0.0, 0.0),
        ("a.txt", "Sam: hi, you there?\nRobin: yes, why\nSam: ok, good\n", 0.0, 0.0),
        ("a.jsonl", '{"timestamp": 1, "sender": "Sam", "text": "hi"}\n{"timestamp": 2, "sender": "R", "text": "x"}\n',
         0.0, 0.4),
        ("a.jsonl", '{"ts": 1, "from": "Sam", "body": "hi"}\n', 0.0, 0.3),
        ("a.jsonl", '{"id": 1, "kind": "x"}\n', 0.0, 0.0),
        ("a.jsonl", '{"date": 1, "author": "Sam", "message": "hi"}\n', 0.0, 0.3),
        ("a.jsonl", '{"a": 1}\n{"b": 2}\n', 0.0, 0.1),
        ("a.json", '{\n  "name": "Sam",\n  "messages": []\n}\n', 0.0, 0.0),
        ("a.json", '{"name": "Sam", "type": "personal_chat", "messages": [{"id": 1, "text": "hi"}]}', 0.0, 0.0),
        ("a.json", '[{"timestamp": 1, "sender": "Sam", "text": "hi"}]\n', 0.0, 0.0),
        ("a.txt", "Just some prose, with commas, in it.\nAnd another line.\n", 0.0, 0.0),
    ],
)  # fmt: skip
def test_sniff_scores(tmp_path: Path, name: str, content: str, csv_score: float, jsonl_score: float) -> None:
    sample = sample_of(tmp_path, name, content)
    assert CSV_IMPORTER.sniff(sample) == csv_score
    assert JSONL_IMPORTER.sniff(sample) == jsonl_score


@pytest.mark.parametrize(("export", "fmt", "options"), GOLDEN, ids=[g[0].name for g in GOLDEN])
def test_our_fixtures_are_detected_as_ours(export: Path, fmt: str, options: ImportOptions) -> None:
    sample = read_sample(export)
    scores = {
        "csv": CSV_IMPORTER.sniff(sample),
        "jsonl": JSONL_IMPORTER.sniff(sample),
        "transcript": TRANSCRIPT_IMPORTER.sniff(sample),
    }
    assert max(scores, key=lambda k: scores[k]) == fmt, scores
    assert 0 < scores[fmt] <= 0.4


@pytest.mark.parametrize("name", ["chat.csv", "chat.jsonl"])
def test_examples_import_with_auto_detection(name: str) -> None:
    conversation = load_conversation(EXAMPLES / name)
    assert conversation.format == name.split(".")[1]
    assert len(conversation.participants) == 2 and len(conversation.messages) >= 10


def test_sniff_never_raises_on_odd_samples(tmp_path: Path) -> None:
    for content in ["", "\x00\x01", '{"a": ' * 5000, '"' * 10, "a,b\n" + '"' * 3 + "\n"]:
        sample = sample_of(tmp_path, "odd.csv", content) if content else None
        if sample is None:
            continue
        assert 0.0 <= CSV_IMPORTER.sniff(sample) <= 0.4
        assert 0.0 <= JSONL_IMPORTER.sniff(sample) <= 0.4


# --------------------------------------------------------------------------------------------- properties

NAMES = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=12)
TEXTS = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00\r"), max_size=60)
ZONES = st.sampled_from([None, UTC, CET, timezone(timedelta(hours=-5, minutes=-30))])
TIMES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1))
ROWS = st.lists(st.tuples(TIMES, NAMES, TEXTS), min_size=1, max_size=15)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def expected_rows(zone: Any, rows: list[tuple[datetime, str, str]]) -> list[tuple[datetime, str, str]]:
    return [(when.replace(tzinfo=zone), sender, text) for when, sender, text in rows]


@PROPERTY
@given(rows=ROWS, zone=ZONES, delimiter=st.sampled_from([",", ";", "\t", "|"]), crlf=st.booleans())
def test_csv_round_trip(rows: list[tuple[datetime, str, str]], zone: Any, delimiter: str, crlf: bool) -> None:
    """Whatever a spreadsheet writes (quotes, delimiters and line breaks in the text) comes back unchanged."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(["timestamp", "sender", "text"])
    expected = expected_rows(zone, rows)
    writer.writerows([(when.isoformat(), sender, text) for when, sender, text in expected])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.csv"
        path.write_text(out.getvalue(), encoding="utf-8", newline="")
        sender_ok = all(s.strip() for _, s, _ in rows)
        conversation = read_csv(path)
    assert sender_ok
    got = [(m.timestamp, conversation.sender_name(m), m.text) for m in conversation.messages]
    assert got == [(w, s.strip(), t) for w, s, t in expected]
    assert conversation.naive_timestamps == (zone is None)


@PROPERTY
@given(rows=ROWS, zone=ZONES, blank=st.booleans())
def test_jsonl_round_trip(rows: list[tuple[datetime, str, str]], zone: Any, blank: bool) -> None:
    expected = expected_rows(zone, rows)
    lines = [
        json.dumps({"timestamp": w.isoformat(), "sender": s, "text": t}, ensure_ascii=False) for w, s, t in expected
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.jsonl"
        path.write_text(("\n\n" if blank else "\n").join(lines) + "\n", encoding="utf-8")
        conversation = read_jsonl(path)
    got = [(m.timestamp, conversation.sender_name(m), m.text) for m in conversation.messages]
    assert got == [(w, s.strip(), t) for w, s, t in expected]
    assert [m.source_record for m in conversation.messages] == list(range(len(rows)))


FIXTURE_BYTES = [g[0].read_bytes() for g in GOLDEN]


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(FIXTURE_BYTES)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        action = draw(st.sampled_from(["truncate", "flip", "cut", "insert"]))
        if action == "truncate":
            del data[at:]
        elif action == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 40))]
        else:
            data[at:at] = draw(st.sampled_from([b",", b";", b'"', b"\n", b"{", b"}", b"\xff", b"\x00", b"\r", b"  "]))
    return bytes(data)


@PROPERTY
@given(data=st.one_of(st.binary(max_size=600), damaged()), fmt=st.sampled_from(["csv", "jsonl"]))
def test_only_bondlens_errors_escape(data: bytes, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.data"
        path.write_bytes(data)
        for columns in (ColumnMap(), ColumnMap("Date", "From", "Message", "%d.%m.%Y %H:%M")):
            try:
                conversation = load_conversation(path, fmt, ImportOptions(columns=columns))
            except BondlensError as exc:
                assert str(exc) and "\n" not in str(exc)
            else:
                assert conversation.messages
                assert len({m.timestamp.tzinfo is None for m in conversation.messages}) == 1
