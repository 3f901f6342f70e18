"""signal-export chat.md / index.md / data.json: goldens, what a user sees, bad input, chat-miner, fuzzing."""

from __future__ import annotations

import json
import logging
import random
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bondlens.errors import BondlensError, ImportFormatError
from bondlens.importers import ImportOptions, load_conversation
from bondlens.importers.base import Sample
from bondlens.importers.registry import detect_format
from bondlens.importers.signal import IMPORTER, _split_markdown_body
from bondlens.model import Attachment, Conversation
from tests.golden import DATA, check_golden

HERE = DATA / "signal"
CHAT_MD = HERE / "Robin Vale" / "chat.md"
DATA_JSON = HERE / "Robin Vale" / "data.json"
OLD_MD = HERE / "Kit Moreau" / "index.md"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "signal_chat.md"


def read(path: Path) -> Conversation:
    return load_conversation(path, "signal")


@pytest.mark.parametrize("export", [CHAT_MD, DATA_JSON, OLD_MD], ids=["chat.md", "data.json", "old-index.md"])
def test_golden(export: Path) -> None:
    check_golden(export)


@pytest.mark.parametrize("fmt", ["signal"])
def test_example_attribute_is_readable(tmp_path: Path, fmt: str) -> None:
    """The snippet `bondlens formats` shows is itself a file bondlens recognises and reads."""
    from bondlens.importers import importers

    path = tmp_path / "export.md"
    path.write_text(importers()[fmt].example, encoding="utf-8")
    conversation = load_conversation(path)
    assert conversation.format == fmt
    assert len(conversation.messages) == 1


def test_example_imports() -> None:
    conversation = load_conversation(EXAMPLE)
    assert conversation.format == "signal"
    assert sum(m.is_system for m in conversation.messages) == 4  # 2 missed calls, a deletion, a call


# ---------------------------------------------------------------------------------------- what users see
CASES = [
    # (index, sender, text, attachments, system)
    (0, "Robin Vale", "hey 🙂", (), False),
    (2, "Robin Vale", "You always say that.\nAlways.", (), False),
    (3, "Robin Vale", "Missed voice call", (), True),
    (5, "Me", "", (Attachment("image", "2024-03-02T08-15-03.120_00_IMG_2041.jpg"),), False),
    (6, "Robin Vale", "", (Attachment("voice", "2024-03-02T08-20-40.511_00_None.aac"),), False),
    (7, "Robin Vale", "", (Attachment("sticker", "😡"),), False),
    (8, "Robin Vale", "", (Attachment("sticker", "🌹"),), False),
    (9, "Me", "That's not fair.", (), False),  # the quote and the reaction are not part of the reply
    (10, "Robin Vale", "I'm sorry. I love you ❤️", (), False),
    (
        11,
        "Me",
        "the lease, and the photo",
        (
            Attachment("document", "2024-03-02T12-05-00.000_00_lease_draft.pdf"),
            Attachment("image", "2024-03-02T12-05-00.000_01_IMG_2042.jpg"),
        ),
        False,
    ),
    (12, "Robin Vale", "(This message was deleted)", (), True),
    (13, "Robin Vale", "", (), True),  # a Signal notice (timer, group change) exported without text
    (14, "Robin Vale", "look", (Attachment("media", None),), False),
    (15, None, "is this still your number?", (), False),  # "No-Sender"
    (16, "Me", "see [this](https://example.org/help) please", (), False),  # a typed link stays text
    (17, "Me", "Outgoing voice call (accepted, 5m 12s)", (), True),
    (18, "Me", "ok.\n\nGood night.", (), False),  # blank line inside a message kept
]


@pytest.mark.parametrize("path", [CHAT_MD, DATA_JSON], ids=["chat.md", "data.json"])
@pytest.mark.parametrize(("index", "sender", "text", "attachments", "system"), CASES)
def test_messages(
    path: Path, index: int, sender: str | None, text: str, attachments: tuple[Attachment, ...], system: bool
) -> None:
    conversation = read(path)
    found = conversation.messages[index]
    assert conversation.sender_name(found) == sender
    assert found.text == text
    assert found.attachments == attachments
    assert found.is_system is system


def test_markdown_and_json_agree() -> None:
    md, js = read(CHAT_MD), read(DATA_JSON)
    assert len(md.messages) == len(js.messages) == 19
    for a, b in zip(md.messages, js.messages, strict=True):
        assert a.timestamp == b.timestamp.replace(microsecond=0)
        assert (a.sender, a.text, a.attachments, a.is_system) == (b.sender, b.text, b.attachments, b.is_system)


def test_facts() -> None:
    md = read(CHAT_MD)
    assert md.title == "Robin Vale"  # the folder signal-export named after the chat
    assert md.naive_timestamps
    assert md.messages[0].timestamp == datetime(2024, 3, 1, 20, 2, 11)
    assert [m.source_line for m in md.messages[:4]] == [1, 3, 5, 8]
    js = read(DATA_JSON)
    assert js.messages[0].timestamp == datetime(2024, 3, 1, 20, 2, 11, 120000)
    assert [(m.source_line, m.source_record) for m in js.messages[:2]] == [(1, 0), (2, 1)]


def test_old_index_md() -> None:
    conversation = read(OLD_MD)
    assert conversation.title == "Kit Moreau"
    texts = [m.text for m in conversation.messages]
    assert texts == [
        "How is everyone?",
        "Fine.\nWhy are you asking him and not me?",
        "",
        "Who took that?",
        "A friend. Can we talk later?",
    ]
    assert conversation.messages[2].attachments == (Attachment("image", "IMG 0042.jpg"),)
    assert conversation.messages[0].timestamp == datetime(2022, 5, 29, 15, 4)


@pytest.mark.parametrize(
    ("raw", "text", "attachments"),
    [
        ("plain  ", "plain", ()),
        ("  ![a b.png](./media/a%20b.png)  ", "", (Attachment("image", "a b.png"),)),
        ("x  [doc (1).pdf](./media/doc_(1).pdf)  ", "x", (Attachment("document", "doc (1).pdf"),)),
        ("ok [lol  ![b.jpg](./media/b.jpg)  ", "ok [lol", (Attachment("image", "b.jpg"),)),
        ("see [here](https://example.org)  ", "see [here](https://example.org)", ()),
        ("hi  \n(- Me: 👍, Robin Vale: 😢 -)", "hi", ()),
        ("hi  \n(- Me: 👍 -)[x.mp4](./media/x.mp4)  ", "hi", (Attachment("video", "x.mp4"),)),
        ("  (attachment not exported)  ", "", (Attachment("other", None),)),
        ("\n\n> quoted\n> \n> more\n\nreply  ", "reply", ()),
        ("\n\n> only a quote\n\n  ", "", ()),
        ("> not a quote  ", "> not a quote", ()),
        ("  \n(( 🙂 ))", "", (Attachment("sticker", "🙂"),)),
    ],
)
def test_split_markdown_body(raw: str, text: str, attachments: tuple[Attachment, ...]) -> None:
    assert _split_markdown_body(raw) == (text, attachments)


# ---------------------------------------------------------------------------------------------- sniffing
@pytest.mark.parametrize("path", [CHAT_MD, DATA_JSON, OLD_MD, EXAMPLE])
def test_detected(path: Path) -> None:
    assert detect_format(path).name == "signal"


def sample(text: str, name: str = "export.txt") -> Sample:
    return Sample(path=Path(name), head=text.encode(), text=text)


@pytest.mark.parametrize(
    ("text", "name", "low", "high"),
    [
        ("[2024-03-19 23:32:19] Ana: hi  \n\n[2024-03-19 23:33:00] Me: yo  \n\n", "x.md", 0.95, 1.0),
        ("[2024-03-19 23:32:19] Ana: hi\n", "x.txt", 0.85, 0.9),
        ("[2024-03-19 23:32:19] Ana: hi\n", "chat.md", 0.95, 0.95),
        ("[2022-05-29, 15:04] Ana: hi\n", "notes.txt", 0.6, 0.6),
        ("[2022-05-29, 15:04] Ana: hi  \n[2022-05-29, 15:05] Me: yo  \n[x", "notes.txt", 0.97, 0.97),
        ("[2024-03-19, 23:32:19] Ana: hi\n", "chat.txt", 0.1, 0.1),  # WhatsApp on iPhone
        ('{"date": "2024-03-19T23:32:19", "sender": "Ana", "body": "hi  ", "quote": ""}\n', "x.json", 0.95, 0.95),
        ("19/03/2024, 23:32 - Ana: hi\n", "chat.txt", 0.0, 0.0),
        ('{"messages": []}', "data.json", 0.0, 0.0),
    ],
)
def test_sniff_scores(text: str, name: str, low: float, high: float) -> None:
    assert low <= IMPORTER.sniff(sample(text, name)) <= high


# ------------------------------------------------------------------------------------------- bad input
BAD_MARKDOWN = [
    ("", "is empty"),
    (
        "hello there\n[2024-03-01 20:02:11] A: hi  \n",
        ":1: does not start with a '[YYYY-MM-DD HH:MM:SS] Name: text' line",
    ),
    ("\n\n", "no messages found"),
    ("[2024-02-30 20:02:11] A: hi  \n", ":1: [2024-02-30 20:02:11] is not a real date and time"),
    ("[2024-03-01 20:02:11] A: hi  \n\n[2024-03-01 25:02:11] A: x\n", ":3: [2024-03-01 25:02:11] is not a real date"),
]
BAD_JSON_LINES = [
    ('{"date": "2024-03-01T20:02:11", "sender": "A", "body": "x"}\n{"date": 5}\n', ':2: "date" should be text'),
    ('{"date": "2024-03-01T20:02:11", "sender": "A", "body": "x"}\n{"date": "soon"}\n', ":2: \"date\" is 'soon'"),
    ('{"date": "2024-03-01T20:02:11", "sender": "A", "body": "x"}\n{"date": "2024', ":2: ends in the middle"),
    ('{"date": "2024-03-01T20:02:11", "sender": 3}\n', 'line 1: "sender" should be text, not a number'),
    ('{"date": "2024-03-01T20:02:11", "sender": "A", "attachments": [1]}\n', "an attachment is a number"),
    ('{"date": "2024-03-01T20:02:11", "sender": "A", "sticker": 4}\n', '"sticker" should be an object or text'),
    ('{"date": "2024-03-01T20:02:11"}\n{"date": "2024-03-01T20:02:11+01:00"}\n', ":2: mixes times"),
    ("[1, 2]\n", "holds a list, not a message object"),
]


@pytest.mark.parametrize(("content", "needle"), BAD_MARKDOWN + BAD_JSON_LINES)
def test_bad_input(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / ("data.json" if content.startswith(("{", "[1")) else "chat.md")
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFormatError) as info:
        read(path)
    assert needle in str(info.value)
    assert str(info.value).startswith(str(path))


def test_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "chat.md"
    path.write_bytes(b"[2024-03-01 20:02:11] A: hi  \n\n[2024-03-01 20:03:11] A: \xff  \n")
    with pytest.raises(ImportFormatError, match=r"chat.md:3: is not UTF-8 text"):
        read(path)


def test_progress_is_reported(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    load_conversation(CHAT_MD, "signal", ImportOptions(progress=lambda d, t: calls.append((d, t))))
    assert calls and calls[-1][0] == calls[-1][1] == CHAT_MD.stat().st_size


# -------------------------------------------------------------------------------- chat-miner differential
def chatminer_messages(path: Path) -> list[Any]:
    from chatminer.chatparsers import SignalParser

    logging.getLogger("chatminer.chatparsers").setLevel(logging.WARNING)
    parser = SignalParser(str(path))
    parser.parse_file()
    return list(parser.parsed_messages._parsed_messages)


def test_chatminer_reads_nothing_from_current_signal_export() -> None:
    """chat-miner expects "[YYYY-MM-DD, HH:MM]"; signal-export has written "[YYYY-MM-DD HH:MM:SS]" since 2024."""
    assert chatminer_messages(CHAT_MD) == []
    assert len(read(CHAT_MD).messages) == 19


def test_chatminer_on_old_format(tmp_path: Path) -> None:
    """On the old format chat-miner agrees on sender and time, but flattens lines and keeps quotes and links."""
    ours = read(OLD_MD)
    theirs = list(reversed(chatminer_messages(OLD_MD)))  # chat-miner returns newest first
    assert [(m.timestamp, m.author) for m in theirs] == [(m.timestamp, ours.sender_name(m)) for m in ours.messages]
    assert theirs[0].message == ours.messages[0].text == "How is everyone?"
    assert theirs[1].message == "Fine. Why are you asking him and not me?"  # its line break is lost
    assert "](./media/" in theirs[2].message  # the attachment is left as markdown text
    assert ours.messages[2].attachments and ours.messages[2].text == ""


# -------------------------------------------------------------------------------------------- properties
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def only_our_errors(path: Path) -> None:
    try:
        conversation = read(path)
    except BondlensError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert conversation.messages


@FUZZ
@given(data=st.binary(max_size=1500), name=st.sampled_from(["chat.md", "data.json", "x.txt"]))
def test_random_bytes_raise_only_our_errors(tmp_path_factory: pytest.TempPathFactory, data: bytes, name: str) -> None:
    path = tmp_path_factory.mktemp("sig") / name
    path.write_bytes(data)
    only_our_errors(path)


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("[]()!-:> \n0123456789abMe.()/_ ")), max_size=300))
def test_markdown_like_text_raise_only_our_errors(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("sig") / "chat.md"
    path.write_text("[2024-03-01 20:02:11] Me: " + text, encoding="utf-8")
    only_our_errors(path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@FUZZ
@given(seed=st.integers(0, 2**32), new=json_values)
def test_mutated_json_lines_raise_only_our_errors(
    tmp_path_factory: pytest.TempPathFactory, seed: int, new: Any
) -> None:
    rng = random.Random(seed)
    lines = DATA_JSON.read_text("utf-8").splitlines()
    index = rng.randrange(len(lines))
    record = json.loads(lines[index])
    key = rng.choice([*record, "extra"])
    record[key] = new
    lines[index] = json.dumps(record)
    path = tmp_path_factory.mktemp("sig") / "data.json"
    path.write_text("\n".join(lines), encoding="utf-8")
    only_our_errors(path)


@FUZZ
@given(cut=st.integers(0, 3000), junk=st.binary(max_size=12), source=st.sampled_from([CHAT_MD, DATA_JSON, OLD_MD]))
def test_damaged_fixtures_raise_only_our_errors(
    tmp_path_factory: pytest.TempPathFactory, cut: int, junk: bytes, source: Path
) -> None:
    folder = tmp_path_factory.mktemp("sig")
    path = folder / source.name
    shutil.copyfile(source, path)
    data = path.read_bytes()
    path.write_bytes(data[:cut] + junk + data[cut + len(junk) :])
    only_our_errors(path)


def test_transcript_with_time_only_brackets_is_not_taken_for_signal() -> None:
    """Regression: "[2026-03-12 21:15] Sam:" then "[21:16] Robin:" lines is a pasted transcript, not signal-export."""
    from bondlens.importers import detect_format

    path = Path(__file__).parent.parent / "data" / "transcript" / "bracket_times.txt"
    assert detect_format(path).name == "transcript"
