"""Pasted-transcript importer: golden files, turn and speaker rules, times, sniffing, properties."""

from __future__ import annotations

import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bondlens.errors import BondlensError, ImportFormatError
from bondlens.importers import ImportOptions, load_conversation
from bondlens.importers.base import read_sample
from bondlens.importers.tabular import CSV_IMPORTER, JSONL_IMPORTER
from bondlens.importers.transcript import (
    ATTACHMENT_MARKERS,
    IMPORTER,
    NO_DATES_WARNING,
    NO_TIMES_WARNING,
    PLACEHOLDER_DATE,
    match_turn,
    plausible_name,
)
from bondlens.model import Attachment, Conversation
from tests.conftest import EXAMPLES
from tests.golden import DATA, check_golden

DIR = DATA / "transcript"
FIXTURES = sorted(p for p in DIR.iterdir() if p.suffix == ".txt")


def write(tmp_path: Path, content: str | bytes, name: str = "t.txt") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def read(path: Path) -> Conversation:
    return IMPORTER.read(path, ImportOptions())


def turns(c: Conversation) -> list[tuple[str | None, str]]:
    return [(c.sender_name(m), m.text) for m in c.messages if not m.is_system]


# --------------------------------------------------------------------------------------------- golden


@pytest.mark.parametrize("export", FIXTURES, ids=[p.name for p in FIXTURES])
def test_golden(export: Path) -> None:
    conversation = check_golden(export, "transcript")
    assert conversation.naive_timestamps
    assert all(m.source_line is not None for m in conversation.messages)


def test_there_are_fixtures_for_each_shape() -> None:
    assert {p.name for p in FIXTURES} >= {"bracket_times.txt", "no_times.txt", "multiline.txt", "day_separators.txt"}


# --------------------------------------------------------------------------------------------- turns


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Sam: hello", ("Sam", None, "hello")),
        ("Sam:", ("Sam", None, "")),
        ("[21:15] Sam: hello", ("Sam", time(21, 15), "hello")),
        ("[21:15:09] Sam: hello", ("Sam", time(21, 15, 9), "hello")),
        ("[9:15 PM] Sam: hello", ("Sam", time(21, 15), "hello")),
        ("[12:05 am] Sam: hello", ("Sam", time(0, 5), "hello")),
        ("[2026-03-12 21:15] Sam: hello", ("Sam", time(21, 15), "hello")),
        ("[2026-03-12, 21:15] Sam: hello", ("Sam", time(21, 15), "hello")),
        ("[2026-03-12T21:15:00] Sam: hello", ("Sam", time(21, 15), "hello")),
        ("2026-03-12 21:15 Sam: hello", ("Sam", time(21, 15), "hello")),
        ("21:15 - Sam: hello", ("Sam", time(21, 15), "hello")),
        ("Sam (21:15): hello", ("Sam", time(21, 15), "hello")),
        ("Sam (2026-03-12 21:15:03): hello", ("Sam", time(21, 15, 3), "hello")),
        ("Sam Okafor: re: the keys", ("Sam Okafor", None, "re: the keys")),
        ("Dr. Jo Lee: hi", ("Dr. Jo Lee", None, "hi")),
        ("@robin_92: hi", ("@robin_92", None, "hi")),
        ("~ Robin: hi", ("~ Robin", None, "hi")),
        ("🌙 Luna: hi", ("🌙 Luna", None, "hi")),
        ("Zoë: hi", ("Zoë", None, "hi")),
        ("Mum (new number): hi", ("Mum (new number)", None, "hi")),
        # not turns
        ("12/03/2026, 21:15 - Sam: hello", None),  # WhatsApp Android: left to the WhatsApp importer
        ("[12/03/2026, 21:15:03] Sam: hello", None),  # WhatsApp iOS
        ("https://example.org/x: see", None),
        ("see https://example.org: ok", None),
        ("Meet at 10:30 ok", None),
        ("Sam:hello", None),
        ("Why did you say that? Because: reasons", None),
        ("and I said, fine: whatever", None),
        ("The thing I really wanted to tell you is this: no", None),
        ("This name is far too long to be anybody's name: x", None),
        ("[25:10] Sam: hello", None),
        ("  Sam: indented", None),
        ("", None),
    ],
)
def test_which_lines_are_turns(line: str, expected: tuple[str, time | None, str] | None) -> None:
    turn = match_turn(line, 1) if not line[:1].isspace() else None
    if expected is None:
        assert turn is None
    else:
        assert turn is not None
        clock = turn.stamp.clock if turn.stamp else None
        assert (turn.name, clock, turn.text) == expected


@pytest.mark.parametrize(
    ("name", "ok"),
    [("Sam", True), ("Mary-Jane O'Neil", True), ("a b c d", True), ("a b c d e", False), ("2Pac", False),
     ("Sam, Robin", False), ("x" * 41, False), ("www.site", False), ("Who?", False), ("(Sam)", False)],
)  # fmt: skip
def test_plausible_names(name: str, ok: bool) -> None:
    assert plausible_name(name) is ok


# --------------------------------------------------------------------------------------------- speakers


@pytest.mark.parametrize(
    ("content", "expected", "warned"),
    [
        # a label inside a message stays in the message
        ("Sam: a\nRobin: b\nSam: c\nNote: d\nRobin: e\n",
         [("Sam", "a"), ("Robin", "b"), ("Sam", "c\nNote: d"), ("Robin", "e")], ['line 4 "Note:"']),
        # one speaker once, at the start: still a person (the first two names)
        ("Sam: a\nRobin: b\nSam: c\n", [("Sam", "a"), ("Robin", "b"), ("Sam", "c")], []),
        # a sentence with a colon, once, after two people have spoken twice: part of the message
        ("Sam: a\nRobin: b\nSam: c\nAnd I said: no\nRobin: d\n",
         [("Sam", "a"), ("Robin", "b"), ("Sam", "c\nAnd I said: no"), ("Robin", "d")], ['line 4 "And I said:"']),
        # an interview: labels that recur from the start are speakers
        ("Q: why\nA: because\nQ: when\nA: now\n", [("Q", "why"), ("A", "because"), ("Q", "when"), ("A", "now")],
         []),
        # a "Note:" preamble is kept as a system line, not a speaker
        ("Note: pasted from my phone\nSam: a\nRobin: b\nSam: c\n", [("Sam", "a"), ("Robin", "b"), ("Sam", "c")],
         ["before the first turn"]),
        # timed transcript: an untimed "Name:" line counts only if the name is a timed speaker
        ("[21:15] Sam: a\nTodo: milk\n[21:16] Robin: b\nSam: more\n",
         [("Sam", "a\nTodo: milk"), ("Robin", "b"), ("Sam", "more")], ['line 2 "Todo:"']),
    ],
)  # fmt: skip
def test_speaker_rules(tmp_path: Path, content: str, expected: list[tuple[str, str]], warned: list[str]) -> None:
    c = read(write(tmp_path, content))
    assert turns(c) == expected
    for text in warned:
        assert any(text in w for w in c.warnings), c.warnings


def test_third_person_speaking_once_is_warned_about(tmp_path: Path) -> None:
    c = read(write(tmp_path, "Sam: a\nRobin: b\nSam: c\nRobin: d\nJo: hello both\nSam: e\n"))
    assert turns(c)[3] == ("Robin", "d\nJo: hello both")
    assert any('line 5 "Jo:"' in w for w in c.warnings)


def test_preamble_is_kept_as_a_system_line(tmp_path: Path) -> None:
    c = read(write(tmp_path, "Chat with Sam\n\n[21:15] Sam: hi\n[21:16] Robin: hey\n"))
    first = c.messages[0]
    assert first.is_system and first.sender is None and first.text == "Chat with Sam" and first.source_line == 1
    assert first.timestamp == c.messages[1].timestamp


def test_multiline_messages_keep_their_line_breaks_and_blank_lines(tmp_path: Path) -> None:
    c = read(DIR / "multiline.txt")
    assert c.messages[1].text == (
        "I need you to read this properly.\n\nFirst: you promised.\nSecond: you lied about where you were.\n"
        "    (I checked.)"
    )
    assert c.messages[1].source_line == 4


@pytest.mark.parametrize(
    ("text", "attachment"),
    [
        ("<Media omitted>", Attachment("media")),
        ("[image]", Attachment("image")),
        ("[Voice message]", Attachment("voice")),
        ("<attached: 00000031-PHOTO-2026-03-12.jpg>", Attachment("image", "00000031-PHOTO-2026-03-12.jpg")),
        ("[file: contract.pdf]", Attachment("document", "contract.pdf")),
    ],
)  # fmt: skip
def test_attachment_markers(tmp_path: Path, text: str, attachment: Attachment) -> None:
    c = read(write(tmp_path, f"Sam: hi\nRobin: {text}\nSam: ok\n"))
    assert (c.messages[1].text, c.messages[1].attachments) == ("", (attachment,))


def test_a_marker_inside_text_stays_text(tmp_path: Path) -> None:
    c = read(write(tmp_path, "Sam: look [image] here\nRobin: ok\n"))
    assert c.messages[0].text == "look [image] here" and c.messages[0].attachments == ()


# --------------------------------------------------------------------------------------------- times


def test_no_times_gives_ordered_placeholders_and_says_so(tmp_path: Path) -> None:
    c = read(DIR / "no_times.txt")
    start = datetime.combine(PLACEHOLDER_DATE, time())
    assert [m.timestamp for m in c.messages] == [start + timedelta(seconds=i) for i in range(len(c.messages))]
    assert NO_TIMES_WARNING in c.warnings


def test_times_without_dates_use_a_placeholder_day_and_roll_over(tmp_path: Path) -> None:
    c = read(write(tmp_path, "[23:50] Sam: a\n[23:20] Robin: b\n[00:05] Sam: c\n[09:00] Robin: d\n"))
    day = PLACEHOLDER_DATE
    assert [m.timestamp for m in c.messages] == [
        datetime.combine(day, time(23, 50)),
        datetime.combine(day, time(23, 20)),  # back by 30 minutes: same day, out of order
        datetime.combine(day + timedelta(days=1), time(0, 5)),  # back by almost a day: a new day
        datetime.combine(day + timedelta(days=1), time(9, 0)),
    ]
    assert NO_DATES_WARNING in c.warnings
    assert any("backwards" in w and "line 2" in w for w in c.warnings)
    assert any("new day" in w and "line 3" in w for w in c.warnings)


def test_a_later_date_is_used_for_earlier_times_with_a_warning(tmp_path: Path) -> None:
    c = read(write(tmp_path, "[21:15] Sam: a\n[2026-03-12 21:20] Robin: b\n"))
    assert c.messages[0].timestamp == datetime(2026, 3, 12, 21, 15)
    assert any("before line 2 have no date" in w for w in c.warnings)


def test_day_separators_give_the_date(tmp_path: Path) -> None:
    c = read(DIR / "day_separators.txt")
    assert [m.timestamp.date().isoformat() for m in c.messages] == ["2026-03-12"] * 3 + ["2026-03-13"] * 2 + [
        "2026-03-14"
    ] * 2
    assert c.messages[0].timestamp == datetime(2026, 3, 12, 21, 15)
    assert c.warnings == ()


def test_a_date_line_inside_a_message_stays_text(tmp_path: Path) -> None:
    c = read(write(tmp_path, "Sam: when is it?\n2026-03-14\nRobin: ok\n"))
    assert turns(c)[0] == ("Sam", "when is it?\n2026-03-14")


def test_untimed_turns_take_the_time_before(tmp_path: Path) -> None:
    c = read(write(tmp_path, "[2026-03-12 21:15] Sam: a\nSam: b\n[21:30] Robin: c\n"))
    assert c.messages[1].timestamp == datetime(2026, 3, 12, 21, 15)
    assert any("no time of their own" in w for w in c.warnings)


def test_examples_transcript() -> None:
    c = load_conversation(EXAMPLES / "transcript.txt")
    assert c.format == "transcript" and c.naive_timestamps
    assert {p.name for p in c.participants} == {"Sam", "Robin"}
    assert c.messages[-1].timestamp == datetime(2026, 3, 7, 8, 31)


# --------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("Just a letter I wrote.\nNo turns at all.\n", ['no "Name: message" lines']),
        (b"Sam: caf\xe9\n", ["UTF-8"]),
        (b"Sam: hi\x00\n", ["binary"]),
    ],
)
def test_bad_transcripts(tmp_path: Path, content: str | bytes, words: list[str]) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ImportFormatError) as info:
        read(path)
    assert str(info.value).startswith(str(path))
    for word in words:
        assert word in str(info.value)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="empty"):
        read(write(tmp_path, ""))


# --------------------------------------------------------------------------------------------- sniffing

WHATSAPP = (
    "12/03/2026, 21:15 - Messages and calls are end-to-end encrypted.\n"
    "12/03/2026, 21:15 - Sam: where are you\n12/03/2026, 21:16 - Robin: at Jo's\n"
)


@pytest.mark.parametrize(
    ("content", "score"),
    [
        ("Sam: hi\nRobin: hey\nSam: how are you\n", 0.2),
        ("[21:15] Sam: hi\n[21:16] Robin: hey\n", 0.2),
        ("Sam (21:15): hi\nthat was long\nRobin (21:16): hey\n", 0.2),
        ("Sam: you there?\nSam: answer me\nSam: fine.\n", 0.1),  # one side pasted alone: weak
        ("ERROR: disk\nERROR: disk again\nERROR: full\n", 0.0),  # a log, not a person
        (WHATSAPP, 0.0),
        ("[12/03/2026, 21:15:03] Sam: hi\n[12/03/2026, 21:16:03] Robin: hey\n", 0.0),
        ("name: bondlens\nversion: 1\nlicense: Apache\nauthor: someone\n", 0.0),  # config, nobody speaks twice
        ("From: Sam\nTo: Robin\nSubject: us\n\nHi Robin,\n", 0.0),  # an e-mail header
        ("A letter.\nWith many lines.\nSam: one turn\nAnd more prose.\nAnd more.\n", 0.0),
        ("timestamp,sender,text\n2026-03-12 21:15,Sam,hi\n", 0.0),
        ('{"timestamp": 1, "sender": "Sam", "text": "hi: there"}\n', 0.0),
    ],
)
def test_sniff(tmp_path: Path, content: str, score: float) -> None:
    assert IMPORTER.sniff(read_sample(write(tmp_path, content))) == score


@pytest.mark.parametrize("export", [*FIXTURES, EXAMPLES / "transcript.txt"], ids=lambda p: p.name)
def test_transcripts_are_not_taken_for_csv_or_jsonl(export: Path) -> None:
    sample = read_sample(export)
    mine = IMPORTER.sniff(sample)
    assert 0 < mine <= 0.2
    assert CSV_IMPORTER.sniff(sample) < mine and JSONL_IMPORTER.sniff(sample) < mine


# --------------------------------------------------------------------------------------------- chat-miner oracle


SIGNAL_STYLE = (
    "[2026-03-12, 21:15] Sam: where are you\n"
    "[2026-03-12, 21:16] Robin: on my way: ten minutes\n"
    "[2026-03-12, 21:40] Sam: You said 10.\n"
    "You always do this.\n"
)


def test_agrees_with_chat_miner_where_it_is_right_and_keeps_line_breaks_where_it_does_not(tmp_path: Path) -> None:
    chatparsers = pytest.importorskip("chatminer.chatparsers")
    path = write(tmp_path, SIGNAL_STYLE)
    parser = chatparsers.SignalParser(str(path))
    parser.parse_file()
    theirs = list(reversed(parser.parsed_messages.get_df(as_pandas=True).to_dict("records")))
    ours = read(path)
    assert len(theirs) == len(ours.messages) == 3
    for record, message in zip(theirs[:2], ours.messages[:2], strict=True):
        assert (record["author"], record["timestamp"].to_pydatetime(), record["message"]) == (
            ours.sender_name(message),
            message.timestamp,
            message.text,
        )
    # chat-miner joins the lines of a multi-line message with a space; we keep the line break
    assert theirs[2]["message"] == "You said 10. You always do this."
    assert ours.messages[2].text == "You said 10.\nYou always do this."


# --------------------------------------------------------------------------------------------- properties

SPEAKERS = ["Sam", "Robin", "Jo Lee", "@kai"]
LINE = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters=":\u0085"),
    min_size=1,
    max_size=40,
).filter(
    lambda s: s.strip() == s and s.strip("[]<>") == s and not s[:4].isdigit() and s.casefold() not in ATTACHMENT_MARKERS
)
MESSAGE = st.lists(LINE, min_size=1, max_size=3).map("\n".join)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(data=st.data(), timed=st.booleans())
def test_round_trip(data: st.DataObject, timed: bool) -> None:
    """A conversation written out as a transcript reads back with the same speakers, texts and order.

    Untimed, a name that starts only one line is (by design) not a speaker, so only the two regular
    speakers talk; timed, anybody with a time is a speaker.
    """
    names = SPEAKERS if timed else SPEAKERS[:2]
    script = data.draw(st.lists(st.tuples(st.sampled_from(names), MESSAGE), min_size=0, max_size=12))
    script = [*script, ("Sam", "first"), ("Robin", "second"), ("Sam", "third"), ("Robin", "fourth")]
    start = datetime(2026, 3, 12, 8, 0)
    lines = []
    for i, (name, text) in enumerate(script):
        prefix = f"[{(start + timedelta(minutes=i)):%Y-%m-%d %H:%M}] " if timed else ""
        lines.append(f"{prefix}{name}: {text}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        c = read(path)
    assert turns(c) == script
    if timed:
        assert [m.timestamp for m in c.messages] == [start + timedelta(minutes=i) for i in range(len(script))]
    else:
        assert NO_TIMES_WARNING in c.warnings


FIXTURE_BYTES = [p.read_bytes() for p in FIXTURES]


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
            data[at:at] = draw(st.sampled_from([b":", b"[", b"]", b"\n", b"\n\n", b"\xff", b"\x00", b"99:99 "]))
    return bytes(data)


@PROPERTY
@given(data=st.one_of(st.binary(max_size=600), damaged()))
def test_only_bondlens_errors_escape(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.txt"
        path.write_bytes(data)
        try:
            c = load_conversation(path, "transcript")
        except BondlensError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            assert c.messages and all(m.timestamp.tzinfo is None for m in c.messages)


def test_progress_is_reported() -> None:
    path = DIR / "multiline.txt"
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))

    IMPORTER.read(path, ImportOptions(progress=progress))
    assert seen and seen[-1] == (path.stat().st_size, path.stat().st_size)
