"""Facebook Messenger and Instagram message_N.json: goldens, mojibake, order, siblings, sniffing, chat-miner."""

from __future__ import annotations

import json
import logging
import random
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bondlens.errors import ImportFormatError
from bondlens.importers import ImportOptions, load_conversation
from bondlens.importers.base import Sample, read_sample
from bondlens.importers.jsonio import repair_mojibake
from bondlens.importers.messenger import FACEBOOK_IMPORTER, INSTAGRAM_IMPORTER, meta_platform
from bondlens.importers.registry import detect_format
from bondlens.model import Attachment, Conversation
from tests.golden import DATA, check_golden
from tests.importers.mutation import paths_in, raises_only_our_errors, replaced

FB = DATA / "facebook"
IG = DATA / "instagram"
FB_THREAD = FB / "your_facebook_activity" / "messages" / "inbox" / "robinvale_10158234567890123"
FB_1 = FB_THREAD / "message_1.json"
FB_2 = FB_THREAD / "message_2.json"
FB_GROUP = FB / "messages" / "inbox" / "bookclub_5824091736" / "message_1.json"
FB_RESAVED = FB / "resaved_utf8.json"
IG_NEW = IG / "your_instagram_activity" / "messages" / "inbox" / "robinvale_17841400123456789" / "message_1.json"
IG_OLD = IG / "messages" / "inbox" / "kit.moreau_2914567738" / "message_1.json"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FB_EXAMPLE = EXAMPLES / "messenger_message_1.json"
IG_EXAMPLE = EXAMPLES / "instagram_message_1.json"


def read(path: Path, fmt: str = "auto") -> Conversation:
    return load_conversation(path, fmt)


@pytest.mark.parametrize(
    "export",
    [FB_1, FB_2, FB_GROUP, FB_RESAVED, IG_NEW, IG_OLD],
    ids=["fb-part1", "fb-part2", "fb-group", "fb-resaved", "ig-new", "ig-old"],
)
def test_golden(export: Path) -> None:
    check_golden(export)


@pytest.mark.parametrize("fmt", ["facebook", "instagram"])
def test_example_attribute_is_readable(tmp_path: Path, fmt: str) -> None:
    """The snippet `bondlens formats` shows is itself a file bondlens recognises and reads."""
    from bondlens.importers import importers

    path = tmp_path / "export.json"
    path.write_text(importers()[fmt].example, encoding="utf-8")
    conversation = load_conversation(path)
    assert conversation.format == fmt
    assert len(conversation.messages) == 1


@pytest.mark.parametrize(("path", "fmt"), [(FB_EXAMPLE, "facebook"), (IG_EXAMPLE, "instagram")])
def test_examples_import(path: Path, fmt: str) -> None:
    conversation = read(path)
    assert conversation.format == fmt
    assert {p.name for p in conversation.participants} == {"Casey Morgan", "Jamie Lin"}
    times = [m.timestamp for m in conversation.messages]
    assert times == sorted(times)


# ---------------------------------------------------------------------------------------------- mojibake
@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("Zo\u00c3\u00ab Faure", "Zoë Faure"),  # accented name as Facebook writes it
        ("Jos\u00c3\u00a9 Nu\u00c3\u00b1ez", "José Nuñez"),
        ("\u00c5\u0081ucja", "Łucja"),  # a letter beyond Latin-1, still written as bytes
        ("\u00f0\u009f\u0098\u008d", "😍"),  # emoji: four bytes
        ("\u00e2\u009d\u00a4\u00ef\u00b8\u008f", "❤️"),
        ("plain ascii", "plain ascii"),
        ("Zoë Faure", "Zoë Faure"),  # already correct: "ë" alone is not UTF-8, left alone
        ("Łódź 😍", "Łódź 😍"),  # already correct, beyond Latin-1: left alone (chat-miner crashes)
        ("caf\u00c3", "caf\u00c3"),  # a cut sequence: left alone, never an error
        ("", ""),
    ],
)
def test_repair_mojibake(raw: str, fixed: str) -> None:
    assert repair_mojibake(raw) == fixed


@given(st.text())
def test_repair_mojibake_never_raises_and_keeps_correct_text(text: str) -> None:
    repaired = repair_mojibake(text)
    assert isinstance(repaired, str)
    try:
        encoded = text.encode("utf-8").decode("latin-1")
    except UnicodeEncodeError:  # lone surrogates
        return
    assert repair_mojibake(encoded) == text  # what Facebook writes always comes back exactly


# ---------------------------------------------------------------------------------------- what users see
STICKER = "39178562_1505197616293642_5411344281094848512_n_369239263222822.png"
FLOWERS = "https://example.com/flowers-for-you"
FB_CASES = [
    # (index in chronological order, sender, text, attachments, system)
    (0, "Robin Vale", "Hey you 😊", (), False),
    (1, "Sam Ortiz", "Hi! Café later?", (), False),
    (2, "Robin Vale", "Only if Zoë isn't coming.", (), False),
    (3, "Sam Ortiz", "", (Attachment("image", "431907284_1102938475_n.jpg"),), False),
    (4, "Robin Vale", "Why do you need her there?\nAnswer me.", (), False),
    (5, "Robin Vale", "You missed a call from Robin Vale.", (), True),
    (7, "Robin Vale", "(unsent message)", (), True),
    (8, "Robin Vale", "", (Attachment("voice", "audioclip17093664400002211_1093847562.mp4"),), False),
    (9, "Sam Ortiz", "", (Attachment("sticker", STICKER),), False),
    (10, "Robin Vale", FLOWERS, (Attachment("other", FLOWERS),), False),
    (11, "Robin Vale", "", (Attachment("gif", "sorry_puppy_4471.gif"),), False),
    (12, "Sam Ortiz", "", (Attachment("document", "rental_agreement.pdf"),), False),
    (13, "Robin Vale", "", (Attachment("video", "431999001_1733_n.mp4"),), False),
    (14, "Robin Vale", "I'm sorry. I'll never do it again ❤️", (), False),
    (15, "Robin Vale", "", (Attachment("other", None),), False),  # "Robin Vale sent an attachment."
    (17, "Robin Vale", "José says hi 👋", (), False),
    (18, "Robin Vale", "(same second as the one before)", (), False),
]  # fmt: skip


@pytest.mark.parametrize(("index", "sender", "text", "attachments", "system"), FB_CASES)
def test_facebook_messages(
    index: int, sender: str, text: str, attachments: tuple[Attachment, ...], system: bool
) -> None:
    conversation = read(FB_1)
    found = conversation.messages[index]
    assert conversation.sender_name(found) == sender
    assert found.text == text
    assert found.attachments == attachments
    assert found.is_system is system


def test_facebook_thread_read_whole_and_in_order() -> None:
    conversation = read(FB_1)
    assert conversation.format == "facebook"
    assert conversation.title == "Robin Vale"
    assert len(conversation.messages) == 19  # 11 in message_1.json + 8 in message_2.json
    times = [m.timestamp for m in conversation.messages]
    assert times == sorted(times)
    assert conversation.messages[0].timestamp == datetime(2024, 3, 1, 19, 2, 11, tzinfo=UTC)
    assert all(m.timestamp.tzinfo is UTC for m in conversation.messages)
    assert sorted(m.source_record or 0 for m in conversation.messages) == list(range(19))
    assert conversation.messages[0].source_record == 18  # the oldest is the last record of message_2.json
    assert conversation.source.path == str(FB_1)  # the given file
    assert any("message_1.json, message_2.json" in w for w in conversation.warnings)


def test_either_part_reads_the_same_thread() -> None:
    first, second = read(FB_1), read(FB_2)
    assert [m.text for m in first.messages] == [m.text for m in second.messages]
    assert second.source.path == str(FB_2)


def test_single_file_when_not_named_message_n(tmp_path: Path) -> None:
    copy = tmp_path / "thread.json"
    shutil.copyfile(FB_1, copy)
    shutil.copyfile(FB_2, tmp_path / "message_2.json")
    conversation = read(copy)
    assert len(conversation.messages) == 11
    assert conversation.warnings == ()


def test_sibling_of_another_thread_is_skipped(tmp_path: Path) -> None:
    shutil.copyfile(FB_1, tmp_path / "message_1.json")
    other = json.loads(FB_2.read_text("utf-8"))
    other["thread_path"] = "inbox/someoneelse_1"
    (tmp_path / "message_2.json").write_text(json.dumps(other), encoding="utf-8")
    (tmp_path / "message_3.json").write_text("[]", encoding="utf-8")
    conversation = read(tmp_path / "message_1.json")
    assert len(conversation.messages) == 11
    assert any("message_2.json belongs to another conversation" in w for w in conversation.warnings)
    assert any("message_3.json" in w and "not part of this conversation" in w for w in conversation.warnings)


def test_given_file_decides_the_thread(tmp_path: Path) -> None:
    other = json.loads(FB_1.read_text("utf-8"))
    other["thread_path"] = "inbox/someoneelse_1"
    (tmp_path / "message_1.json").write_text(json.dumps(other), encoding="utf-8")
    shutil.copyfile(FB_2, tmp_path / "message_2.json")
    conversation = read(tmp_path / "message_2.json")
    assert len(conversation.messages) == 8
    assert [m.source_record for m in conversation.messages] == list(range(7, -1, -1))
    assert any("message_1.json belongs to another conversation" in w for w in conversation.warnings)


def test_damaged_sibling_is_named(tmp_path: Path) -> None:
    shutil.copyfile(FB_1, tmp_path / "message_1.json")
    (tmp_path / "message_2.json").write_text('{"messages": [\n{"sender_name": ', encoding="utf-8")
    with pytest.raises(ImportFormatError) as info:
        read(tmp_path / "message_1.json")
    assert str(info.value).startswith(str(tmp_path / "message_2.json") + ":2:")


def test_group_chat() -> None:
    conversation = read(FB_GROUP)
    assert conversation.format == "facebook"  # nothing says Instagram: Facebook wins
    assert conversation.title == "Book club 📚"
    names = [p.name for p in conversation.participants]
    assert names == ["Mara Quill", "Łucja Brandt", "José Nuñez", "Sam Ortiz", "Kit Moreau"]  # Kit left
    texts = [(conversation.sender_name(m), m.text, m.is_system) for m in conversation.messages]
    assert ("Mara Quill", "added Łucja Brandt, José Nuñez", True) in texts
    assert ("Łucja Brandt", "Dzień dobry! Cześć wszystkim", False) in texts
    assert ("Kit Moreau", "left the group", True) in texts
    assert ("Mara Quill", "Mara Quill started a call.", True) in texts


def test_resaved_utf8_left_alone() -> None:
    conversation = read(FB_RESAVED)
    assert [m.text for m in conversation.messages] == ["How was the trip, Zoë?", "Łódź was lovely 😍"]
    assert conversation.participants[0].name == "Zoë Faure"


IG_CASES = [
    (0, "Robin Vale", "saw your story. who's he? 🙂", (), False),
    (2, "Robin Vale", "Liked a message", (), True),
    (3, "Robin Vale", "Robin Vale started an audio call", (), True),
    (4, "Robin Vale", "Robin Vale missed an audio call", (), True),
    (5, "Robin Vale", "", (Attachment("voice", "1098765432101234.mp4"),), False),
    (6, "Sam Ortiz", "Reacted 😢 to your message", (), True),
    (7, "Robin Vale", "", (Attachment("other", "https://www.instagram.com/p/C5aBcDeFgHi/"),), False),
    (8, "Robin Vale", "", (Attachment("image", "437712345_2211_n.jpg"),), False),
    (9, "Sam Ortiz", "", (Attachment("other", None),), False),
    (10, "Robin Vale", "(unsent message)", (), True),
    (11, "Robin Vale", "for you", (Attachment("video", "437799999_1733_n.mp4"),), False),
    (12, "Sam Ortiz", "I'm going to bed.\nPlease stop.", (), False),
]


@pytest.mark.parametrize(("index", "sender", "text", "attachments", "system"), IG_CASES)
def test_instagram_messages(
    index: int, sender: str, text: str, attachments: tuple[Attachment, ...], system: bool
) -> None:
    conversation = read(IG_NEW)
    assert conversation.format == "instagram"
    found = conversation.messages[index]
    assert conversation.sender_name(found) == sender
    assert found.text == text
    assert found.attachments == attachments
    assert found.is_system is system


def test_instagram_old_layout() -> None:
    conversation = read(IG_OLD)
    assert conversation.format == "instagram"
    assert [m.text for m in conversation.messages] == ["u awake?", "Liked a message", "Crème brûlée tomorrow? 🍮", ""]
    assert conversation.messages[1].is_system


def test_same_file_as_facebook_or_instagram() -> None:
    """Both importers read the same layout; only the name and Instagram's own system lines differ."""
    fb, ig = read(IG_NEW, "facebook"), read(IG_NEW, "instagram")
    assert (fb.format, ig.format) == ("facebook", "instagram")
    assert [m.text.rstrip() for m in fb.messages] == [m.text.rstrip() for m in ig.messages]
    assert [m.timestamp for m in fb.messages] == [m.timestamp for m in ig.messages]
    assert sum(m.is_system for m in ig.messages) > sum(m.is_system for m in fb.messages)


# ---------------------------------------------------------------------------------------------- sniffing
@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (FB_1, "facebook"),
        (FB_2, "facebook"),
        (FB_GROUP, "facebook"),
        (FB_RESAVED, "facebook"),
        (FB_EXAMPLE, "facebook"),
        (IG_NEW, "instagram"),
        (IG_OLD, "instagram"),
        (IG_EXAMPLE, "instagram"),
    ],
)
def test_detected(path: Path, fmt: str) -> None:
    assert detect_format(path).name == fmt


BODY = '{"participants": [{"name": "A"}], "messages": [{"sender_name": "A", "timestamp_ms": 1, "content": "%s"}]}'


@pytest.mark.parametrize(
    ("path", "content", "platform"),
    [
        ("x/your_instagram_activity/messages/inbox/a_1/message_1.json", "hi", "instagram"),
        ("instagram-sam-2024-05-01/messages/inbox/a_1/message_1.json", "hi", "instagram"),
        ("x/your_facebook_activity/messages/inbox/a_1/message_1.json", "hi", "facebook"),
        ("x/your_activity_across_facebook/messages/inbox/a_1/message_1.json", "hi", "facebook"),
        ("facebook-sam-2024-05-01/messages/inbox/a_1/message_1.json", "Liked a message", "facebook"),  # path first
        ("message_1.json", "Liked a message", "instagram"),
        ("message_1.json", "Reacted 😍 to your message", "instagram"),
        ("message_1.json", "hi", None),  # undecidable
    ],
)
def test_platform_decision(path: str, content: str, platform: str | None) -> None:
    text = BODY % content
    meta, found = meta_platform(Sample(path=Path(path), head=text.encode(), text=text))
    assert meta and found == platform
    winner = max(
        (FACEBOOK_IMPORTER, INSTAGRAM_IMPORTER), key=lambda i: i.sniff(Sample(Path(path), text.encode(), text))
    )
    assert winner.name == (platform or "facebook")


def test_uri_decides_platform() -> None:
    text = BODY.replace(
        '"content": "%s"', '"photos": [{"uri": "your_instagram_activity/messages/inbox/a/photos/1.jpg"}]'
    )
    assert meta_platform(Sample(Path("message_1.json"), text.encode(), text)) == (True, "instagram")
    internal = BODY.replace('"content": "%s"', '"sender_id_INTERNAL": 0')
    assert meta_platform(Sample(Path("message_1.json"), internal.encode(), internal)) == (True, "facebook")


@pytest.mark.parametrize("other", [DATA / "telegram" / "personal_chat.json", DATA / "discord" / "dm_group.json"])
def test_not_sniffed_on_other_formats(other: Path) -> None:
    sample = read_sample(other)
    assert FACEBOOK_IMPORTER.sniff(sample) == INSTAGRAM_IMPORTER.sniff(sample) == 0.0


# ------------------------------------------------------------------------------------------- bad input
BAD = [
    ("", "is empty"),
    ("{", "cut short"),
    ('{"participants": []\n"messages": []}', ":2: is not valid JSON (Expecting ',' delimiter"),
    ("[1]", 'is JSON (a list) but has no "messages" list; is this a Facebook Messenger or Instagram export'),
    ('{"participants": []}', 'has no "messages" list'),
    ('{"messages": []}', "no messages found"),
    ('{"messages": [{"sender_name": "A", "timestamp_ms": 1709410445000}, 7]}', 'record 1 of "messages": each message'),
    ('{"messages": [{"sender_name": "A"}]}', 'record 0 of "messages": has no "timestamp_ms"'),
    ('{"messages": [{"sender_name": "A", "timestamp_ms": "soon"}]}', '"timestamp_ms" should be a whole number'),
    ('{"messages": [{"sender_name": "A", "timestamp_ms": 1709410445}]}', "not a plausible chat time"),  # seconds
    ('{"messages": [{"sender_name": 5, "timestamp_ms": 1709410445000}]}', '"sender_name" should be text'),
    ('{"messages": [{"sender_name": "A", "timestamp_ms": 1709410445000, "photos": {}}]}', '"photos" should be a list'),
    ('{"messages": [{"sender_name": "A", "timestamp_ms": 1709410445000, "photos": [3]}]}', 'each item of "photos"'),
    (
        '{"messages": [{"sender_name": "A", "timestamp_ms": 1709410445000, "share": "x"}]}',
        '"share" should be an object',
    ),
    ('{"participants": [7], "messages": []}', "each participant should be an object"),
]


@pytest.mark.parametrize("fmt", ["facebook", "instagram"])
@pytest.mark.parametrize(("content", "needle"), BAD)
def test_bad_input(tmp_path: Path, fmt: str, content: str, needle: str) -> None:
    path = tmp_path / "message_1.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFormatError) as info:
        read(path, fmt)
    assert needle in str(info.value)
    assert str(info.value).startswith(str(path))
    assert "\n" not in str(info.value)


def test_bom_accepted(tmp_path: Path) -> None:
    path = tmp_path / "message_1.json"
    path.write_bytes(b"\xef\xbb\xbf" + FB_RESAVED.read_bytes())
    assert len(read(path, "facebook").messages) == 2


def test_progress_covers_all_files() -> None:
    calls: list[tuple[int, int]] = []
    load_conversation(FB_1, "facebook", ImportOptions(progress=lambda d, t: calls.append((d, t))))
    total = FB_1.stat().st_size + FB_2.stat().st_size
    assert calls[-1] == (total, total)
    assert all(t == total for _, t in calls)


# -------------------------------------------------------------------------------- chat-miner differential
def chatminer(path: Path, instagram: bool = False) -> list[Any]:
    from chatminer.chatparsers import FacebookMessengerParser, InstagramJsonParser

    logging.getLogger("chatminer.chatparsers").setLevel(logging.WARNING)
    parser = InstagramJsonParser(str(path)) if instagram else FacebookMessengerParser(str(path))
    parser.parse_file()
    return list(parser.parsed_messages._parsed_messages)


@pytest.mark.parametrize(("path", "instagram"), [(FB_1, False), (FB_GROUP, False), (IG_NEW, True), (FB_EXAMPLE, False)])
def test_chatminer_agrees_on_text_messages(path: Path, instagram: bool) -> None:
    """Every message chat-miner finds, we find too: same sender, same time (it is naive UTC), same text."""
    ours = read(path)
    mine = {(m.timestamp.astimezone(UTC).replace(tzinfo=None), ours.sender_name(m), m.text) for m in ours.messages}
    theirs = chatminer(path, instagram)
    assert theirs
    for message in theirs:
        if message.message.endswith(" sent an attachment."):
            continue  # Meta's stand-in for a missing file: we record an attachment instead (see below)
        assert (message.timestamp, message.author, message.message) in mine


def test_sent_an_attachment_becomes_an_attachment() -> None:
    theirs = {m.timestamp: m.message for m in chatminer(FB_1)}
    ours = read(FB_1).messages[15]
    assert theirs[ours.timestamp.astimezone(UTC).replace(tzinfo=None)] == "Robin Vale sent an attachment."
    assert (ours.text, ours.attachments) == ("", (Attachment("other", None),))


def test_chatminer_loses_attachments_unsent_and_second_file() -> None:
    ours = read(FB_1)
    theirs = chatminer(FB_1)
    assert len(theirs) == 6  # of the 11 records in message_1.json; message_2.json is not read at all
    assert len(ours.messages) == 19
    assert sum(1 for m in ours.messages if m.attachments) == 8


def test_chatminer_on_instagram_system_lines() -> None:
    """chat-miner drops reactions entirely, yet counts "Liked a message" as something Robin wrote
    (it only filters a lowercase "liked a message"). We keep both, as system lines."""
    theirs = {m.message for m in chatminer(IG_NEW, instagram=True)}
    assert "Liked a message" in theirs
    assert not any("to your message" in text for text in theirs)
    ours = read(IG_NEW)
    assert any(m.text == "Liked a message" and m.is_system for m in ours.messages)
    assert any(m.text == "Reacted 😢 to your message" and m.is_system for m in ours.messages)


def test_chatminer_crashes_on_correct_utf8() -> None:
    """chat-miner re-encodes every string unconditionally; text that is already right makes it fail."""
    with pytest.raises(UnicodeError):
        chatminer(FB_RESAVED)
    assert read(FB_RESAVED).messages[1].text == "Łódź was lovely 😍"


def test_chatminer_order_is_newest_first() -> None:
    theirs = chatminer(FB_GROUP)
    assert theirs[0].timestamp > theirs[-1].timestamp
    ours = read(FB_GROUP)
    assert ours.messages[0].timestamp < ours.messages[-1].timestamp


# -------------------------------------------------------------------------------------------- properties
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def only_our_errors(path: Path, fmt: str) -> None:
    raises_only_our_errors(lambda: load_conversation(path, fmt))


@FUZZ
@given(data=st.binary(max_size=1500), fmt=st.sampled_from(["facebook", "instagram"]))
def test_random_bytes_raise_only_our_errors(tmp_path_factory: pytest.TempPathFactory, data: bytes, fmt: str) -> None:
    path = tmp_path_factory.mktemp("meta") / "message_1.json"
    path.write_bytes(data)
    only_our_errors(path, fmt)


@FUZZ
@given(
    seed=st.integers(0, 2**32),
    new=json_values,
    fixture=st.sampled_from([FB_1, FB_GROUP, IG_NEW, IG_OLD]),
    fmt=st.sampled_from(["facebook", "instagram"]),
)
def test_mutated_fixtures_raise_only_our_errors(
    tmp_path_factory: pytest.TempPathFactory, seed: int, new: Any, fixture: Path, fmt: str
) -> None:
    original = json.loads(fixture.read_text("utf-8"))
    where = random.Random(seed).choice(paths_in(original))
    path = tmp_path_factory.mktemp("meta") / "message_1.json"
    path.write_text(json.dumps(replaced(original, where, new)), encoding="utf-8")
    only_our_errors(path, fmt)


@FUZZ
@given(cut=st.integers(0, 6000), junk=st.binary(max_size=16), which=st.sampled_from([FB_1, FB_2]))
def test_damaged_sibling_raise_only_our_errors(
    tmp_path_factory: pytest.TempPathFactory, cut: int, junk: bytes, which: Path
) -> None:
    folder = tmp_path_factory.mktemp("meta")
    for part in (FB_1, FB_2):
        data = part.read_bytes()
        if part == which:
            data = data[:cut] + junk + data[cut + len(junk) :]
        (folder / part.name).write_bytes(data)
    only_our_errors(folder / "message_1.json", "facebook")
