"""WhatsApp importer: golden files for every line-shape variant, the facts a user would notice, dates that
need the whole file (or the user) to decide, bad input, chat-miner as an oracle, and random input."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib.util
import io
import logging
import sys
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bondlens.errors import AmbiguousDateError, BondlensError, FileTooLargeError, ImportFormatError
from bondlens.importers import ImportOptions, detect_format, load_conversation
from bondlens.importers import whatsapp as wa
from bondlens.importers.base import read_sample
from bondlens.model import Conversation, Message
from tests.golden import check_golden

DATA = Path(__file__).resolve().parent.parent / "data" / "whatsapp"
ROOT = DATA.parent.parent.parent
EXAMPLES = ROOT / "examples"
GOLDEN_EXPORTS = sorted(p for p in DATA.iterdir() if p.suffix in {".txt", ".zip"} and p.name != "ambiguous_all.txt")
NNBSP = "\u202f"
LRM = "\u200e"


def read(path: Path, dayfirst: bool | None = None, max_bytes: int | None = None) -> Conversation:
    options = ImportOptions(dayfirst=dayfirst) if max_bytes is None else ImportOptions(dayfirst, max_bytes=max_bytes)
    return wa.IMPORTER.read(path, options)


def write(tmp_path: Path, text: str, name: str = "chat.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def person_messages(conversation: Conversation) -> list[Message]:
    return [m for m in conversation.messages if not m.is_system]


def at_line(conversation: Conversation, line: int) -> Message:
    return next(m for m in conversation.messages if m.source_line == line)


# --------------------------------------------------------------------------------------------- golden files


def test_there_are_at_least_24_variants_and_two_zips() -> None:
    assert len([p for p in GOLDEN_EXPORTS if p.suffix == ".txt"]) >= 24
    assert {p.name for p in GOLDEN_EXPORTS if p.suffix == ".zip"} == {"ios_export.zip", "android_export.zip"}


@pytest.mark.parametrize("export", GOLDEN_EXPORTS, ids=lambda p: p.name)
def test_golden(export: Path) -> None:
    conversation = check_golden(export, "auto")  # also proves the sniffer picks WhatsApp for every variant
    assert conversation.format == "whatsapp"
    assert conversation.naive_timestamps is True
    assert all(m.source_line is not None for m in conversation.messages)


@pytest.mark.parametrize(("dayfirst", "suffix"), [(True, "dayfirst"), (False, "monthfirst")])
def test_golden_fully_ambiguous_file_with_the_users_choice(dayfirst: bool, suffix: str) -> None:
    export = DATA / "ambiguous_all.txt"
    expected = DATA / f"ambiguous_all.txt.{suffix}.expected.json"
    check_golden(export, "whatsapp", ImportOptions(dayfirst=dayfirst), expected=expected)


@pytest.mark.parametrize("example", ["whatsapp_android_us.txt", "whatsapp_ios.zip"])
def test_examples_import(example: str) -> None:
    conversation = load_conversation(EXAMPLES / example)
    assert conversation.format == "whatsapp"
    assert {p.name for p in conversation.participants} == {"Alex Kimura", "Sam Oduya"}
    assert len(conversation.messages) >= 20  # "a couple of dozen"


# ------------------------------------------------------------------------------- facts a user would notice

# fixture, time of the first message a person wrote, its sender, its text
FIRST_MESSAGE = [
    ("android_dmy_24h_slash.txt", datetime(2026, 3, 12, 21, 2), "Mara Lindqvist", "are you still at the office?"),
    ("android_mdy_12h_narrow_nbsp.txt", datetime(2026, 3, 12, 21, 2), "Jonas Aberle", "where were you tonight"),
    ("android_mdy_12h_space.txt", datetime(2021, 11, 28, 8, 30), "Jonas Aberle", "Morning"),
    ("android_dmy_12h_lower_ampm.txt", datetime(2026, 2, 14, 7, 5), "Priya Vanterpool", "happy valentine's"),
    ("android_es_dmy_12h_p_m_nbsp.txt", datetime(2026, 3, 28, 21, 29), "Lucía Ferreira", "¿dónde estás?"),
    ("android_ca_ymd_dash_12h_p_m.txt", datetime(2026, 3, 12, 17, 46), "Mara Lindqvist", "on my way"),
    (
        "android_za_ymd_slash_12h_lower.txt",
        datetime(2026, 3, 12, 17, 46),
        "Sipho Ndlovu-Grant",
        "Are we still on for Saturday?",
    ),
    ("de_dots_24h.txt", datetime(2026, 3, 12, 21, 15), "Lena Hartwig", "Bist du schon zu Hause?"),
    ("android_nl_dmy_dash_no_comma.txt", datetime(2026, 3, 13, 21, 15), "Daan de Wit", "Ben je er al?"),
    ("android_dots_2digit_no_comma.txt", datetime(2025, 12, 24, 18, 0), "Eero Lahtinen", "Hyvää joulua!"),
    ("android_bom_crlf.txt", datetime(2026, 4, 20, 18, 30), "Mara Lindqvist", "saved this on my laptop"),
    ("android_group_system_lines.txt", datetime(2026, 1, 15, 10, 3), "+44 7700 900123", "hi all, this is Rosa"),
    ("android_attachments.txt", datetime(2026, 5, 2, 14, 0), "Theo Banerjee", ""),
    ("ios_dmy_24h_seconds.txt", datetime(2026, 3, 12, 21, 15, 7), "Mara Lindqvist", "Did you take my keys?"),
    ("ios_mdy_12h_narrow_nbsp.txt", datetime(2026, 3, 12, 21, 15, 7), "Jonas Aberle", "who is Sam"),
    ("ios_de_dots_24h.txt", datetime(2026, 3, 7, 21, 22, 39), "Jakob Brenner", "Hey 👋"),
    ("ios_yearfirst_seconds.txt", datetime(2026, 3, 12, 21, 25, 15), "Hana Mori", "今どこ？"),
    ("ios_dmy_12h_a_m_dots.txt", datetime(2025, 12, 31, 23, 58, 40), "Ruby Callaghan", "nearly midnight"),
    ("ios_dmy_no_comma.txt", datetime(2022, 12, 31, 11, 40, 26), "Theo Banerjee", ""),
    ("ios_group_events.txt", datetime(2026, 4, 15, 15, 5, 12), "Theo Banerjee", "welcome!"),
    ("old_colon_tail_24h.txt", datetime(2012, 12, 9, 17, 3, 48), "Mara Lindqvist", "are you coming?"),
    ("old_colon_tail_12h.txt", datetime(2014, 3, 24, 13, 59, 59), "Ines Okonkwo", "lunch?"),
    ("fi_klo_dot_time.txt", datetime(2026, 3, 13, 21, 25, 15), "Eero Lahtinen", "Missä olet?"),
    ("android_utf16.txt", datetime(2026, 3, 17, 19, 0), "Mara Lindqvist", "saved as unicode"),
    ("android_rtl_marks.txt", datetime(2026, 3, 13, 21, 15), "Yara Haddad", "are you awake?"),
    ("ios_export.zip", datetime(2026, 3, 12, 21, 15, 7), "Mara Lindqvist", "Are you coming home tonight?"),
    ("android_export.zip", datetime(2026, 3, 14, 18, 1), "Mara Lindqvist", "the receipt"),
]


@pytest.mark.parametrize(("fixture", "when", "sender", "text"), FIRST_MESSAGE, ids=[r[0] for r in FIRST_MESSAGE])
def test_first_message(fixture: str, when: datetime, sender: str, text: str) -> None:
    first = person_messages(read(DATA / fixture))[0]
    assert (first.timestamp, first.sender, first.text) == (when, sender, text)
    assert first.timestamp.tzinfo is None


# fixture, line where a multi-line message starts, its sender and full text with its line breaks
MULTI_LINE = [
    ("android_dmy_24h_slash.txt", 3, "Theo Banerjee", "Leaving now\nSorry, the meeting ran late\n\nBe home by 10"),
    ("android_mdy_12h_narrow_nbsp.txt", 3, "Ines Okonkwo", "At Priya's, I told you\nHer car broke down"),
    ("android_bom_crlf.txt", 2, "Theo Banerjee", "why\nwhat for"),
    ("android_utf16.txt", 2, "Theo Banerjee", "ok\ntwo lines"),
    ("ios_dmy_24h_seconds.txt", 3, "Theo Banerjee", "No\nCheck your coat"),
    ("ios_dmy_12h_a_m_dots.txt", 3, "Ruby Callaghan", "🎉\nlove you"),
    ("android_mdy_12h_space.txt", 4, "Ines Okonkwo", "goodnight\nsee you tomorrow"),
]


@pytest.mark.parametrize(("fixture", "line", "sender", "text"), MULTI_LINE, ids=[r[0] for r in MULTI_LINE])
def test_multi_line_message_keeps_its_line_breaks(fixture: str, line: int, sender: str, text: str) -> None:
    message = at_line(read(DATA / fixture), line)
    assert (message.sender, message.text, message.is_system) == (sender, text, False)


# fixture, line, kind, file name, text left beside the attachment (a caption or a document title)
ATTACHMENTS = [
    ("android_dmy_24h_slash.txt", 7, "media", None, ""),
    ("android_attachments.txt", 1, "image", "IMG-20260502-WA0001.jpg", ""),
    ("android_attachments.txt", 2, "image", "IMG-20260502-WA0002.jpg", "from last night\nand this one"),
    ("android_attachments.txt", 5, "video", "VID-20260502-WA0003.mp4", ""),
    ("android_attachments.txt", 6, "voice", "PTT-20260502-WA0004.opus", ""),
    ("android_attachments.txt", 7, "sticker", "STK-20260502-WA0005.webp", ""),
    ("android_attachments.txt", 8, "document", "Lease agreement 2026.pdf", ""),
    ("android_attachments.txt", 9, "contact", "Rosa Alvarez.vcf", ""),
    ("android_attachments.txt", 10, "location", "https://maps.google.com/?q=52.370216,4.895168", ""),
    ("android_attachments.txt", 11, "image", "IMG-20150804-WA0009.jpg", ""),
    ("android_es_dmy_12h_p_m_nbsp.txt", 2, "voice", "PTT-20260328-WA0014.opus", ""),
    ("android_es_dmy_12h_p_m_nbsp.txt", 4, "image", "IMG-20260329-WA0010.jpg", "la foto de ayer"),
    ("android_es_dmy_12h_p_m_nbsp.txt", 6, "media", None, ""),
    ("de_dots_24h.txt", 4, "media", None, ""),
    ("de_dots_24h.txt", 5, "image", "IMG-20260313-WA0003.jpg", ""),
    ("android_rtl_marks.txt", 2, "media", None, ""),
    ("ios_dmy_24h_seconds.txt", 5, "image", "00000012-PHOTO-2026-03-12-21-17-05.jpg", ""),
    ("ios_dmy_24h_seconds.txt", 6, "voice", "00000013-AUDIO-2026-03-13-08-00-31.opus", ""),
    ("ios_dmy_24h_seconds.txt", 7, "document", "00000014-Lease.pdf", "Lease.pdf • 3 pages"),
    ("ios_de_dots_24h.txt", 4, "image", "00000021-PHOTO-2026-03-14-10-00-00.jpg", ""),
    ("ios_mdy_12h_narrow_nbsp.txt", 5, "image", None, ""),
    ("ios_mdy_12h_narrow_nbsp.txt", 6, "video", None, ""),
    ("ios_mdy_12h_narrow_nbsp.txt", 7, "audio", None, ""),
    ("ios_mdy_12h_narrow_nbsp.txt", 8, "sticker", None, ""),
    ("ios_mdy_12h_narrow_nbsp.txt", 9, "gif", None, ""),
    ("ios_mdy_12h_narrow_nbsp.txt", 10, "document", None, "Schedule.pdf • 2 pages"),
    ("ios_mdy_12h_narrow_nbsp.txt", 11, "contact", None, ""),
    ("android_za_ymd_slash_12h_lower.txt", 3, "location", "https://maps.google.com/?q=-33.918861,18.423300", ""),
]


@pytest.mark.parametrize(("fixture", "line", "kind", "name", "text"), ATTACHMENTS)
def test_attachment_is_noted_not_left_as_text(fixture: str, line: int, kind: str, name: str | None, text: str) -> None:
    message = at_line(read(DATA / fixture), line)
    assert [(a.kind, a.name) for a in message.attachments] == [(kind, name)]
    assert message.text == text
    assert message.sender is not None and not message.is_system


# fixture, line, sender (None for WhatsApp's own lines), text
SYSTEM_LINES = [
    ("android_dmy_24h_slash.txt", 1, None, "Messages and calls are end-to-end encrypted."),
    ("android_dmy_24h_slash.txt", 8, "Theo Banerjee", "This message was deleted"),
    ("android_group_system_lines.txt", 2, None, 'Theo Banerjee created group "Flat 4B"'),
    ("android_group_system_lines.txt", 3, None, "Theo Banerjee added Mara Lindqvist"),
    ("android_group_system_lines.txt", 5, None, 'Theo Banerjee changed the subject from "Flat 4B" to "Flat 4B: bills"'),
    ("android_group_system_lines.txt", 8, None, "Your security code with Theo Banerjee changed."),
    ("android_group_system_lines.txt", 10, None, "You deleted this message"),
    ("android_group_system_lines.txt", 11, "Mara Lindqvist", "You deleted this message"),
    ("android_group_system_lines.txt", 12, None, "\u202a+44 7700 900123\u202c left"),
    ("android_dmy_12h_lower_ampm.txt", 4, "Sven Odegaard", "Missed voice call"),
    ("ios_dmy_24h_seconds.txt", 1, None, "Messages and calls are end-to-end encrypted."),
    ("ios_dmy_24h_seconds.txt", 8, "Mara Lindqvist", "This message was deleted."),
    ("ios_de_dots_24h.txt", 1, None, "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt."),
    ("ios_dmy_no_comma.txt", 3, "Theo Banerjee", "This message was deleted."),
    ("ios_group_events.txt", 1, None, "Messages and calls are end-to-end encrypted."),
    ("ios_group_events.txt", 2, None, "Theo Banerjee created group “Flat 4B”"),
    ("ios_group_events.txt", 3, None, "Theo Banerjee added Mara Lindqvist"),
    ("ios_group_events.txt", 6, None, "Mara Lindqvist left"),
    ("ios_mdy_12h_narrow_nbsp.txt", 12, "Ines Okonkwo", "Missed voice call"),
]


@pytest.mark.parametrize(("fixture", "line", "sender", "text"), SYSTEM_LINES)
def test_system_lines_are_kept_and_marked(fixture: str, line: int, sender: str | None, text: str) -> None:
    message = at_line(read(DATA / fixture), line)
    assert message.is_system
    assert message.sender == sender
    assert message.text.startswith(text)
    assert not message.text.startswith((LRM, "\u200f"))


def test_people_writing_like_system_lines_stay_people() -> None:
    conversation = read(DATA / "ios_group_events.txt")
    dishes = at_line(conversation, 5)
    assert (dishes.sender, dishes.text, dishes.is_system) == ("Mara Lindqvist", "Theo left the dishes again", False)
    assert {p.name for p in conversation.participants} == {"Theo Banerjee", "Mara Lindqvist"}  # not "Flat 4B"


def test_edited_message_keeps_its_words_and_whatsapps_marker() -> None:
    message = at_line(read(DATA / "android_group_system_lines.txt"), 9)
    assert (message.sender, message.text, message.is_system) == (
        "Theo Banerjee",
        "rent is due friday <This message was edited>",
        False,
    )


def test_phone_number_participant_gets_a_handle_and_no_bidi_marks() -> None:
    conversation = read(DATA / "android_group_system_lines.txt")
    rosa = conversation.participant("+44 7700 900123")
    assert rosa.handle == "+44 7700 900123"


def test_caption_in_parentheses_is_not_an_attachment() -> None:
    message = at_line(read(DATA / "android_attachments.txt"), 12)
    assert (message.text, message.attachments) == ("(just kidding) see you at 8", ())


def test_zip_source_is_the_archive_and_names_the_member() -> None:
    for fixture, member in [
        ("ios_export.zip", "_chat.txt"),
        ("android_export.zip", "WhatsApp Chat with Mara Lindqvist.txt"),
    ]:
        path = DATA / fixture
        conversation = read(path)
        assert conversation.source.member == member
        assert conversation.source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert conversation.source.size == path.stat().st_size


def test_android_zip_title_comes_from_the_chat_file_name() -> None:
    assert read(DATA / "android_export.zip").title == "Mara Lindqvist"


@pytest.mark.parametrize(
    ("file_name", "title"),
    [
        ("WhatsApp Chat with Mara Lindqvist.txt", "Mara Lindqvist"),
        ("WhatsApp Chat - Flat 4B.zip", "Flat 4B"),
        ("WhatsApp-Chat mit Lena Hartwig.txt", "Lena Hartwig"),
        ("_chat.txt", None),
        ("export.txt", None),
    ],
)
def test_title_from_file_name(file_name: str, title: str | None) -> None:
    assert wa.title_from_file_name(file_name) == title


def test_progress_is_reported_in_bytes() -> None:
    calls: list[tuple[int, int]] = []
    path = DATA / "android_dmy_24h_slash.txt"
    wa.IMPORTER.read(path, ImportOptions(progress=lambda done, total: calls.append((done, total))))
    assert calls and calls[-1] == (path.stat().st_size, path.stat().st_size)


# --------------------------------------------------------------------------------------- day order of dates


def test_day_first_is_settled_by_a_late_day_above_12() -> None:
    conversation = read(DATA / "ambiguous_dayfirst_late.txt")
    assert [m.timestamp.date().isoformat() for m in conversation.messages] == [
        "2026-04-01",
        "2026-04-02",
        "2026-04-12",
        "2026-04-25",
    ]


def test_month_first_is_settled_by_a_late_day_above_12() -> None:
    conversation = read(DATA / "ambiguous_monthfirst_late.txt")
    assert [m.timestamp.date().isoformat() for m in conversation.messages] == [
        "2026-04-01",
        "2026-04-02",
        "2026-04-25",
    ]


def test_fully_ambiguous_file_asks_the_user() -> None:
    path = DATA / "ambiguous_all.txt"
    with pytest.raises(AmbiguousDateError) as caught:
        read(path)
    message = str(caught.value)
    assert str(path) in message and "--dayfirst" in message and "--monthfirst" in message
    with pytest.raises(AmbiguousDateError):
        load_conversation(path)  # the same through the registry, with the format sniffed


@pytest.mark.parametrize(("dayfirst", "first_day"), [(True, "2026-04-03"), (False, "2026-03-04")])
def test_dayfirst_and_monthfirst_are_honoured(dayfirst: bool, first_day: str) -> None:
    conversation = read(DATA / "ambiguous_all.txt", dayfirst=dayfirst)
    assert conversation.messages[0].timestamp.date().isoformat() == first_day


def test_users_choice_agreeing_with_the_file_is_fine() -> None:
    assert read(DATA / "ambiguous_dayfirst_late.txt", dayfirst=True).messages[-1].timestamp.day == 25
    assert read(DATA / "ambiguous_monthfirst_late.txt", dayfirst=False).messages[-1].timestamp.day == 25


@pytest.mark.parametrize(
    ("fixture", "dayfirst", "line", "hint"),
    [
        ("ambiguous_dayfirst_late.txt", False, 4, "--dayfirst"),
        ("ambiguous_monthfirst_late.txt", True, 3, "--monthfirst"),
    ],
)
def test_users_choice_contradicting_the_file_names_the_line(fixture: str, dayfirst: bool, line: int, hint: str) -> None:
    with pytest.raises(ImportFormatError) as caught:
        read(DATA / fixture, dayfirst=dayfirst)
    assert caught.value.line == line
    assert f"{DATA / fixture}:{line}:" in str(caught.value)
    assert hint in str(caught.value) and "25" in str(caught.value)


def test_year_first_day_month_order_is_proved_by_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "2026/25/03, 10:00 - Mara Lindqvist: hi\n2026/26/03, 10:00 - Theo Banerjee: hey\n")
    assert read(path).messages[0].timestamp == datetime(2026, 3, 25, 10, 0)


def test_year_first_is_year_month_day_unless_the_file_says_otherwise(tmp_path: Path) -> None:
    path = write(tmp_path, "2026-03-04, 10:00 - Mara Lindqvist: hi\n2026-04-03, 10:00 - Theo Banerjee: hey\n")
    assert [m.timestamp.date().isoformat() for m in read(path).messages] == ["2026-03-04", "2026-04-03"]
    assert read(path, dayfirst=False).messages[0].timestamp.month == 3  # --monthfirst/--dayfirst do not apply


def test_year_first_and_year_last_dates_in_one_file(tmp_path: Path) -> None:
    path = write(tmp_path, "2026/03/14, 10:00 - Mara Lindqvist: hi\n14/03/2026, 10:01 - Theo Banerjee: hey\n")
    with pytest.raises(ImportFormatError) as caught:
        read(path)
    assert caught.value.line == 2 and "year-first" in str(caught.value)


def test_dates_fitting_no_order_name_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "25/03/2026, 10:00 - Mara Lindqvist: hi\n03/25/2026, 10:01 - Theo Banerjee: hey\n")
    with pytest.raises(ImportFormatError) as caught:
        read(path)
    assert caught.value.line == 2 and "no single day/month order" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("25/03/2026, 10:00 - Mara: hi\n31/02/2026, 10:00 - Theo: hey\n", 2, "impossible date '31/02/2026'"),
        ("25/03/2026, 10:00 - Mara: hi\n26/03/2026, 25:61 - Theo: hey\n", 2, "impossible time '25:61'"),
        ("25/03/2026, 10:00 - Mara: hi\n26/03/2026, 13:05 PM - Theo: hey\n", 2, "impossible time"),
    ],
)
def test_impossible_date_or_time_names_the_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    with pytest.raises(ImportFormatError) as caught:
        read(write(tmp_path, text))
    assert caught.value.line == line and words in str(caught.value)


def test_twelve_oclock_and_zero_oclock_in_12_hour_files(tmp_path: Path) -> None:
    text = (
        f"3/13/26, 12:05{NNBSP}AM - Jonas Aberle: just after midnight\n"
        f"3/13/26, 12:05{NNBSP}PM - Ines Okonkwo: just after noon\n"
        "3/13/26, 00:08 a. m. - Jonas Aberle: Spanish phones write 00 for midnight\n"
    )
    hours = [m.timestamp.hour for m in read(write(tmp_path, text)).messages]
    assert hours == [0, 12, 0]


# -------------------------------------------------------------------------------------------- bad input


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(b"13/03/2026, 10:00 - Mara: hi\n13/03/2026, 10:01 - Theo: ok\n13/03/2026, 10:02 - Mara: caf\xe9\n")
    with pytest.raises(ImportFormatError) as caught:
        read(path)
    assert caught.value.line == 3
    assert f"{path}:3:" in str(caught.value) and "UTF-8" in str(caught.value)


def test_nul_byte_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(b"13/03/2026, 10:00 - Mara: hi\nbinary\x00junk\n")
    with pytest.raises(ImportFormatError) as caught:
        read(path)
    assert caught.value.line == 2


def test_truncated_final_line_is_kept_and_warned_about(tmp_path: Path) -> None:
    path = write(
        tmp_path, "13/03/2026, 10:00 - Mara Lindqvist: hi\n13/03/2026, 10:01 - Theo Banerjee: ok\n13/03/2026, 10:0"
    )
    conversation = read(path)
    assert conversation.messages[-1].text == "ok\n13/03/2026, 10:0"
    assert any("line (3)" in w and "cut off" in w for w in conversation.warnings)


def test_truncated_file_in_the_middle_of_a_header_does_not_crash(tmp_path: Path) -> None:
    for cut in range(1, 40):
        path = write(
            tmp_path, "[13/03/2026, 10:00:00] Mara Lindqvist: hi\n[13/03/2026, 10:01:00] Theo Banerjee: ok"[:cut]
        )
        with contextlib.suppress(ImportFormatError):
            read(path)


@pytest.mark.parametrize("block_bytes", [wa.BLOCK_BYTES, 1])
def test_lines_before_the_first_message_are_skipped_with_a_warning(
    tmp_path: Path, block_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wa, "BLOCK_BYTES", block_bytes)
    path = write(tmp_path, "Chat export\nsecond junk line\n13/03/2026, 10:00 - Mara Lindqvist: hi\n")
    conversation = read(path)
    assert [m.text for m in conversation.messages] == ["hi"]
    assert conversation.messages[0].source_line == 3
    assert conversation.warnings == ("lines 1-2 come before the first dated message line and were skipped",)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"just some notes\nnothing like a chat\n", "has no WhatsApp message lines"),
        (b"\n\n\n", "has no WhatsApp message lines"),
        (b"", "is empty"),
    ],
)
def test_not_a_whatsapp_export(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match=words):
        read(path)


def test_text_file_larger_than_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "13/03/2026, 10:00 - Mara Lindqvist: hi\n" * 100)
    with pytest.raises(FileTooLargeError):
        read(path, max_bytes=1000)


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


CHAT = b"13/03/2026, 10:00 - Mara Lindqvist: hi\n13/03/2026, 10:01 - Theo Banerjee: ok\n"


def test_broken_zip(tmp_path: Path) -> None:
    path = tmp_path / "chat.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 20)
    with pytest.raises(ImportFormatError, match="not a readable zip archive"):
        read(path)


def test_truncated_zip(tmp_path: Path) -> None:
    whole = (DATA / "ios_export.zip").read_bytes()
    path = tmp_path / "cut.zip"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImportFormatError):
        read(path)


def test_zip_with_damaged_chat_member(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "chat.zip", {"_chat.txt": CHAT * 50})
    data = bytearray(path.read_bytes())
    start = 30 + len("_chat.txt") + 10  # inside the compressed data of the first member
    data[start : start + 20] = bytes(20)
    path.write_bytes(bytes(data))
    with pytest.raises(ImportFormatError) as caught:
        read(path)
    assert "_chat.txt" in str(caught.value) or "zip" in str(caught.value)


def test_zip_without_text_file(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "photos.zip", {"IMG-20260313-WA0001.jpg": b"\xff\xd8"})
    with pytest.raises(ImportFormatError, match="without a chat text file"):
        read(path)


def test_zip_bomb_is_refused_by_its_declared_size(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "bomb.zip", {"_chat.txt": CHAT + b"a" * 5_000_000})
    assert path.stat().st_size < 100_000
    with pytest.raises(FileTooLargeError) as caught:
        read(path, max_bytes=1_000_000)
    assert "_chat.txt" in str(caught.value) and "limit" in str(caught.value)


def test_password_protected_member_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "locked.zip", {"_chat.txt": CHAT})
    data = bytearray(path.read_bytes())
    data[6] |= 0x01  # "encrypted" flag in the local header ...
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x01  # ... and in the central directory
    path.write_bytes(bytes(data))
    with pytest.raises(ImportFormatError, match="password-protected"):
        read(path)


def test_zip_chat_is_chosen_among_other_text_files(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "export.zip", {"notes.txt": b"milk\nbread\n", "conversation.txt": CHAT})
    conversation = read(path)
    assert conversation.source.member == "conversation.txt"
    assert len(conversation.messages) == 2


def test_zip_with_the_chat_in_a_folder(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "export.zip", {"WhatsApp Chat - Mara/_chat.txt": CHAT, "WhatsApp Chat - Mara/a.jpg": b""}
    )
    assert read(path).source.member == "WhatsApp Chat - Mara/_chat.txt"


def test_zip_with_several_text_files_none_a_chat(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "export.zip", {"a.txt": b"milk\n", "b.txt": b"bread\n"})
    with pytest.raises(ImportFormatError, match="not WhatsApp chats"):
        read(path)


def test_zip_member_not_utf8_names_member_and_line(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "export.zip", {"_chat.txt": CHAT + b"13/03/2026, 10:02 - Mara: caf\xe9\n"})
    with pytest.raises(ImportFormatError) as caught:
        read(path)
    assert str(caught.value).startswith(f"{path}/_chat.txt:3:")


def test_committed_zips_hold_what_make_zip_builds() -> None:
    make_zip_script = load_module(DATA / "make_zip.py", "whatsapp_make_zip")
    for target, members in make_zip_script.TARGETS.items():
        with zipfile.ZipFile(target) as archive:
            assert [(i.filename, archive.read(i)) for i in archive.infolist()] == members
        assert zipfile.ZipFile(io.BytesIO(make_zip_script.build_zip(members))).namelist() == [n for n, _ in members]


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# -------------------------------------------------------------------------------- line shapes and blocks


def test_a_line_in_another_time_style_later_in_the_file_is_still_a_message(tmp_path: Path) -> None:
    lines = [f"13/03/2026, 10:{i:02d} - Mara Lindqvist: message {i}" for i in range(40)]
    lines.append("13/03/2026, 11:00:59 - Theo Banerjee: with seconds, unlike the lines before")
    conversation = read(write(tmp_path, "\n".join(lines) + "\n"))
    assert conversation.messages[-1].sender == "Theo Banerjee"
    assert conversation.messages[-1].timestamp == datetime(2026, 3, 13, 11, 0, 59)


def test_names_with_colons_and_messages_with_colons(tmp_path: Path) -> None:
    text = "13/03/2026, 10:00 - Mo :): note: buy milk\n13/03/2026, 10:01 - Theo Banerjee: time: 10:30\n"
    conversation = read(write(tmp_path, text))
    assert [(m.sender, m.text) for m in conversation.messages] == [
        ("Mo :)", "note: buy milk"),
        ("Theo Banerjee", "time: 10:30"),
    ]


def test_ios_empty_message_without_space_after_the_colon(tmp_path: Path) -> None:
    text = "[13/03/2026, 10:00:00] Mara Lindqvist: hi\n[13/03/2026, 10:00:05] Theo Banerjee:\n"
    last = read(write(tmp_path, text)).messages[-1]
    assert (last.sender, last.text, last.is_system) == ("Theo Banerjee", "", False)


@pytest.mark.parametrize("export", [p for p in GOLDEN_EXPORTS if p.suffix == ".txt"], ids=lambda p: p.name)
@pytest.mark.parametrize("block_bytes", [1, 7, 64])
def test_tiny_blocks_read_the_same(export: Path, block_bytes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = read(export)
    monkeypatch.setattr(wa, "BLOCK_BYTES", block_bytes)
    monkeypatch.setattr(wa, "BLOCK_LINES", 2)
    assert read(export).messages == expected.messages


def test_garbage_collector_is_left_as_it_was() -> None:
    assert gc.isenabled()
    read(DATA / "android_dmy_24h_slash.txt")
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        read(DATA / "android_dmy_24h_slash.txt")
        assert not gc.isenabled()
    finally:
        gc.enable()
    kept_frozen = [object()]
    gc.freeze()  # a program that froze its own objects keeps them frozen
    try:
        frozen = gc.get_freeze_count()
        read(DATA / "android_dmy_24h_slash.txt")
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    assert kept_frozen


# --------------------------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize("export", [*GOLDEN_EXPORTS, EXAMPLES / "whatsapp_ios.zip"], ids=lambda p: p.name)
def test_sniff_is_confident_on_whatsapp_exports(export: Path) -> None:
    assert wa.IMPORTER.sniff(read_sample(export)) >= 0.9
    assert detect_format(export).name == "whatsapp"


@pytest.mark.parametrize(
    ("text", "at_most"),
    [
        ("just some notes\n12/03/2026 was a Thursday\n", 0.0),
        ("timestamp,sender,text\n2026-03-12T21:15:00,Mara,hi\n", 0.0),
        (
            "[2026-03-12 21:15:07] Mara: hi  \n\n[2026-03-12 21:16:00] Theo: hey  \n\n"
            "[2026-03-12 21:17:00] Mara: ok  \n",
            0.75,
        ),
    ],
)
def test_sniff_is_not_confident_on_other_text(tmp_path: Path, text: str, at_most: float) -> None:
    assert wa.IMPORTER.sniff(read_sample(write(tmp_path, text))) <= at_most


def test_sniff_tells_ios_year_first_from_signal_markdown(tmp_path: Path) -> None:
    ios = "[2026-03-12 21:15:07] Mara: hi\n[2026-03-12 21:16:00] Theo: hey\n[2026-03-12 21:17:00] Mara: ok\n"
    assert wa.IMPORTER.sniff(read_sample(write(tmp_path, ios))) == 0.9
    assert wa.IMPORTER.sniff(read_sample(EXAMPLES / "signal_chat.md")) == 0.75


def test_sniff_never_raises_on_a_broken_zip(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    assert wa.IMPORTER.sniff(read_sample(path)) == 0.0


# ------------------------------------------------------------------------------ chat-miner as an oracle

logging.getLogger("chatminer.chatparsers").setLevel(logging.WARNING)

AGREES_WITH_CHAT_MINER = [
    "android_dmy_24h_slash.txt",
    "android_mdy_12h_narrow_nbsp.txt",
    "android_mdy_12h_space.txt",
    "android_dmy_12h_lower_ampm.txt",
    "android_es_dmy_12h_p_m_nbsp.txt",
    "android_ca_ymd_dash_12h_p_m.txt",
    "android_za_ymd_slash_12h_lower.txt",
    "android_nl_dmy_dash_no_comma.txt",
    "android_dots_2digit_no_comma.txt",
    "android_attachments.txt",
    "de_dots_24h.txt",
    "ios_dmy_24h_seconds.txt",
    "ios_mdy_12h_narrow_nbsp.txt",
    "ios_dmy_12h_a_m_dots.txt",
    "ios_dmy_no_comma.txt",
    "ios_de_dots_24h.txt",
    "ios_group_events.txt",
    "ambiguous_dayfirst_late.txt",
    "ambiguous_monthfirst_late.txt",
]


def chat_miner(path: Path) -> list[tuple[datetime, str, str]]:
    from chatminer.chatparsers import WhatsAppParser

    parser = WhatsAppParser(str(path))
    parser.parse_file()
    parsed = parser.parsed_messages._parsed_messages
    return [(m.timestamp, m.author, m.message) for m in reversed(parsed)]  # it collects them last to first


def plain_one_line(conversation: Conversation) -> list[tuple[datetime, str, str]]:
    return [
        (m.timestamp, unicodedata.normalize("NFKC", m.sender), unicodedata.normalize("NFKC", m.text))
        for m in conversation.messages
        if m.sender is not None and not m.is_system and not m.attachments and "\n" not in m.text and m.text
    ]


@pytest.mark.parametrize("fixture", AGREES_WITH_CHAT_MINER)
def test_chat_miner_agrees_on_plain_messages(fixture: str) -> None:
    ours = plain_one_line(read(DATA / fixture))
    theirs = set(chat_miner(DATA / fixture))
    assert ours, "nothing to compare"
    assert [m for m in ours if m not in theirs] == []


def test_chat_miner_guesses_day_first_where_we_ask() -> None:
    path = DATA / "ambiguous_all.txt"
    assert chat_miner(path)[0][0] == datetime(2026, 4, 3, 9, 0)  # a silent guess; March 4 is just as likely
    with pytest.raises(AmbiguousDateError):
        read(path)
    assert read(path, dayfirst=False).messages[0].timestamp == datetime(2026, 3, 4, 9, 0)


def test_chat_miner_joins_lines_with_spaces_where_we_keep_them() -> None:
    path = DATA / "android_dmy_24h_slash.txt"
    theirs = {(t, a): m for t, a, m in chat_miner(path)}
    assert (
        theirs[(datetime(2026, 3, 12, 21, 9), "Theo Banerjee")]
        == "Leaving now Sorry, the meeting ran late  Be home by 10"
    )
    assert at_line(read(path), 3).text == "Leaving now\nSorry, the meeting ran late\n\nBe home by 10"


def test_chat_miner_loses_the_first_message_after_a_byte_order_mark() -> None:
    path = DATA / "android_bom_crlf.txt"
    assert "saved this on my laptop" not in [m for _, _, m in chat_miner(path)]
    assert read(path).messages[0].text == "saved this on my laptop"


def test_chat_miner_invents_a_sender_from_a_subject_change() -> None:
    path = DATA / "android_group_system_lines.txt"
    authors = {a for _, a, _ in chat_miner(path)}
    assert 'Theo Banerjee changed the subject from "Flat 4B" to "Flat 4B' in authors
    conversation = read(path)
    assert {p.id for p in conversation.participants} == {"+44 7700 900123", "Mara Lindqvist", "Theo Banerjee"}
    assert at_line(conversation, 5).is_system


def test_chat_miner_takes_the_ios_encryption_notice_for_a_message() -> None:
    path = DATA / "ios_dmy_24h_seconds.txt"
    first = chat_miner(path)[0]
    assert first[1] == "Theo Banerjee" and first[2].startswith("Messages and calls are end-to-end encrypted")
    assert read(path).messages[0].is_system and read(path).messages[0].sender is None


def test_chat_miner_leaves_attachments_as_text() -> None:
    path = DATA / "ios_dmy_no_comma.txt"
    assert chat_miner(path)[0][2] == "<attached: 00000001-AUDIO-2022-12-31-11-40-26.opus>"
    assert read(path).messages[0].attachments[0].name == "00000001-AUDIO-2022-12-31-11-40-26.opus"


@pytest.mark.parametrize(
    "fixture",
    [
        "fi_klo_dot_time.txt",
        "ios_yearfirst_seconds.txt",
        "old_colon_tail_24h.txt",
        "old_colon_tail_12h.txt",
        "android_utf16.txt",
        "android_rtl_marks.txt",
    ],
)
def test_shapes_chat_miner_cannot_read(fixture: str) -> None:
    with pytest.raises(Exception):  # noqa: B017 - chat-miner fails in several different ways
        chat_miner(DATA / fixture)
    assert len(person_messages(read(DATA / fixture))) >= 3


# ----------------------------------------------------------------------------------------- random input

SEED_FILES = [DATA / "android_dmy_24h_slash.txt", DATA / "ios_mdy_12h_narrow_nbsp.txt", DATA / "ios_export.zip"]


def read_bytes_safely(tmp_dir: Path, data: bytes, name: str, dayfirst: bool | None = None) -> None:
    path = tmp_dir / name
    path.write_bytes(data)
    try:
        conversation = wa.IMPORTER.read(path, ImportOptions(dayfirst=dayfirst))
    except BondlensError:
        return
    assert conversation.messages
    wa.IMPORTER.sniff(read_sample(path))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), dayfirst=st.sampled_from([None, True, False]))
def test_random_bytes_raise_only_bondlens_errors(tmp_path: Path, data: bytes, dayfirst: bool | None) -> None:
    read_bytes_safely(tmp_path, data, "random.txt", dayfirst)
    read_bytes_safely(tmp_path, b"PK\x03\x04" + data, "random.zip", dayfirst)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.sampled_from(SEED_FILES),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["flip", "insert", "delete", "cut"]),
            st.integers(0, 10**6),
            st.binary(min_size=1, max_size=8),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_exports_raise_only_bondlens_errors(
    tmp_path: Path, seed: Path, edits: list[tuple[str, int, bytes]]
) -> None:
    data = bytearray(seed.read_bytes())
    for action, position, chunk in edits:
        at = position % (len(data) + 1)
        if action == "flip" and data:
            data[at % len(data)] ^= chunk[0] or 1
        elif action == "insert":
            data[at:at] = chunk
        elif action == "delete":
            del data[at : at + len(chunk)]
        else:
            del data[at:]
    read_bytes_safely(tmp_path, bytes(data), seed.name)


WORDS = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=30)
NAMES = st.sampled_from(["Mara Lindqvist", "Theo Banerjee", "Mo :)", "+44 7700 900123"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    messages=st.lists(st.tuples(NAMES, st.lists(WORDS, min_size=1, max_size=3)), min_size=1, max_size=12),
    block_bytes=st.integers(1, 200),
)
def test_generated_chats_read_back_exactly(
    tmp_path: Path, messages: list[tuple[str, list[str]]], block_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = []
    for i, (name, text_lines) in enumerate(messages):
        lines.append(f"25/03/2026, 10:{i:02d} - {name}: {text_lines[0]}")
        lines.extend(text_lines[1:])
    path = write(tmp_path, "\n".join(lines) + "\n")
    monkeypatch.setattr(wa, "BLOCK_BYTES", block_bytes)
    conversation = read(path)
    if any(wa.GENERIC_HEADER.match(line) for _, text_lines in messages for line in text_lines[1:]):
        return  # a text line that looks like a message line is one, for any WhatsApp reader
    assert len(conversation.messages) == len(messages)
    for i, ((name, text_lines), message) in enumerate(zip(messages, conversation.messages, strict=True)):
        assert message.timestamp == datetime(2026, 3, 25, 10, i)
        assert message.source_line == 1 + sum(len(t) for _, t in messages[:i])
        text = "\n".join(text_lines)
        if not wa.needs_body_reading(text):
            assert (message.sender, message.text, message.is_system) == (name, text, False)


# ------------------------------------------------------------------------------------------- benchmark


def test_bench_generator_and_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    bench = load_module(ROOT / "bench" / "import_speed.py", "bench_import_speed")
    export = tmp_path / "bench.txt"
    bench.write_export(export, 3000)
    assert export.read_text(encoding="utf-8").count("\n") == 3000
    conversation = load_conversation(export)
    assert 1500 < len(conversation.messages) < 3000
    assert any(m.attachments for m in conversation.messages) and any(m.is_system for m in conversation.messages)
    assert {p.name for p in conversation.participants} == {"Mara Lindqvist", "Theo Banerjee"}

    run = bench.measure_in_this_process(export)
    body = bench.report(run, [run], 3000)
    assert f"{run.messages:,} messages" in body and "Peak memory" in body and "Machine:" in body


def test_a_zip_member_with_an_empty_name_is_ignored_not_a_crash(tmp_path: Path) -> None:
    """Found by the mutation test: a damaged archive can hold an entry whose name is empty."""
    archive = tmp_path / "WhatsApp Chat with Sam.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("WhatsApp Chat with Sam.txt", "25/03/2026, 21:15 - Sam: hi\n25/03/2026, 21:16 - Alex: hello\n")
        zf.writestr(zipfile.ZipInfo(""), b"")
    conversation = load_conversation(archive)
    assert [m.text for m in conversation.messages] == ["hi", "hello"]
