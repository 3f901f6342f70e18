"""WhatsApp chat exports: the "Export chat" .txt file, or the .zip that holds it (with or without media).

Where the format was learned (facts only; the code and the fixtures here are our own):
- chat-miner (github joweich/chat-miner): chatminer/chatparsers.py (WhatsAppParser, WhatsAppDateFormat) and
  its test/whatsapp/*.txt fixtures: Android " - " and iOS "[...]" lines, dd/mm vs mm/dd, yyyy/mm/dd,
  "a. m."/"p. m." 12-hour times, continuation lines.
- whatstk (github lucasrodes/whatstk): whatsapp/parser.py and assets/header_format_support.json: the header
  shapes in use (dots/slashes/dashes, with and without seconds, 12/24 h, year-first), the invisible marks
  WhatsApp inserts (U+200E, U+200F, U+202A/U+202C around phone numbers), iOS .zip holding "_chat.txt".
- whatsapp-chat-parser (github Pustur/whatsapp-chat-parser): src/parser.ts, src/date.ts, tests: the older
  "date time: Name: text" shape, "." as time separator and Finnish "klo", attachment texts
  ("<attached: 00000042-PHOTO-....jpg>", "IMG-...-WA0001.jpg (file attached)", "... <attached>").
- Issue threads: Pustur/whatsapp-chat-parser#224 (no-break space inside "p. m.") and #248 (U+202F before
  "PM"); dimagi/open-chat-studio#221 (en-CA "2023-12-20, 5:46 p.m.", en-ZA "2023/12/20, 5:46 pm");
  rodrigogs/whats-reader#78 (German iOS "[07.03.26, 21:22:39]", Spanish "(archivo adjunto)");
  mrmelon54/WhatsAppExportViewer-v0#2 (iOS zip layout, "This message was deleted.", group events);
  noe/whatsapp2md#4 (Android "(file attached)", Spanish iOS "<adjunto: ...>"); mazen160/whatsapp-chat-parser#3
  (iOS documents "Name.pdf • 14 pages <attached: ...>", the chat name as "sender" of the encryption notice);
  nmoya/whatsapp-parser#4 (older "09/12/2012 17:03:48: Name: text" shape).

How a file is read (fast: a 1,000,000-line export imports at well over 200,000 messages/s):
1. The first message lines fix the file's line shape (brackets or " - ", date separator, time style).
   The file is then read in blocks of whole lines and each block is split by ONE compiled regex anchored
   on "\n" (so the regex engine, not Python, walks the lines): date, time, name and text of each message
   line, with the continuation lines of multi-line messages in between (their "\n" is kept). A looser
   regex of the same family re-splits a block in which some line is written differently from the first.
2. The date order is decided from the set of distinct date strings of the WHOLE file (a first or second
   number above 12 settles it); each distinct date and time string is parsed once.
3. The messages are built: sender, text, attachments and system lines.

Decisions (documented for users of the data):
- Timestamps are naive: WhatsApp writes the phone's wall-clock time and no zone.
- System lines ("Messages and calls are end-to-end encrypted", "X added Y", "X left", security-code changes)
  are kept with is_system=True and sender None, also when iOS writes them as "<chat name>: ...".
- A deleted message ("This message was deleted", "You deleted this message") keeps its sender, is marked
  is_system=True (these are not words the person wrote) and keeps WhatsApp's own wording as its text.
  Missed calls and "Waiting for this message" are handled the same way.
- An edited message keeps its text including WhatsApp's "<This message was edited>" suffix: nothing is lost.
- A text that is only an attachment marker becomes text "" with the attachment; a caption (Android: the lines
  after "IMG-...jpg (file attached)") or an iOS document title stays as text.
- Year-first dates are read as year-month-day (what year-first locales write) unless the file itself proves
  year-day-month; --dayfirst/--monthfirst only choose between day/month/year and month/day/year.
- Two-digit years are 20xx (WhatsApp began in 2009).
- Lines before the first dated line are skipped with a warning; a cut-off last line is kept as text of the
  message before it, with a warning.
- A line inside a message that itself looks exactly like a message line starts a new message (no reader
  of this format can tell them apart).
- Invisible direction marks (U+200E/U+200F) are dropped from the start of texts and around attachment
  markers; sender names lose surrounding bidi controls ("\u202a+44 7700 900123\u202c" -> "+44 7700 900123").
- WhatsApp's own notices are recognised in English (and the encryption notice in several languages);
  an iOS group event in another language stays a message "from" the chat's name rather than being lost.
"""

from __future__ import annotations

import codecs
import gc
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import accumulate, chain, compress, repeat
from operator import add, is_
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO, Final, Literal, cast

from bondlens.errors import AmbiguousDateError, FileTooLargeError, ImportFormatError
from bondlens.importers.base import ImportOptions, ProgressCallback, Sample, check_file, source_file
from bondlens.importers.textio import decode_head, detect_bom, iter_text_lines
from bondlens.model import Attachment, AttachmentKind, Conversation, Message, Participant, SourceFile

FORMAT_NAME: Final = "whatsapp"

# ---------------------------------------------------------------------------------------------------------
# Line shapes
# ---------------------------------------------------------------------------------------------------------

_MARKS: Final = "\u200e\u200f"  # left-to-right / right-to-left marks at line starts and before markers
_SPACE: Final = "[ \u00a0\u202f]"  # plain, no-break (U+00A0) and narrow no-break (U+202F) spaces
_AMPM: Final = rf"[AaPp]\.?{_SPACE}?[Mm]\.?"  # AM, pm, a.m., "p. m." (that space may be U+00A0)
_JOINT: Final = rf",?{_SPACE}(?:klo )?"  # between date and time: "12/03/2026, 21:15", "13.6.2018 klo 21.25"
_ANY_TIME: Final = rf"\d{{1,2}}[:.]\d{{2}}(?:[:.]\d{{2}})?(?:{_SPACE}?{_AMPM})?"

# Any WhatsApp message line; used to sniff, and to learn a file's line shape from its first lines:
#   Android: "12/03/2026, 21:15 - Mara Lindqvist: see you at 8"
#   iOS:     "[3/12/26, 9:15:07\u202fPM] Mara Lindqvist: see you at 8"
#   older:   "12/03/2026 21:15:07: Mara Lindqvist: see you at 8"
GENERIC_HEADER: Final = re.compile(
    rf"^[{_MARKS}]*(?P<open>\[)?"
    r"(?P<date>\d{1,4}(?P<sep>[./-]) ?\d{1,2}(?P=sep) ?\d{1,4})"
    rf"(?P<joint>{_JOINT})"
    rf"(?P<time>\d{{1,2}}(?P<tsep>[:.])\d{{2}}(?P<seconds>(?P=tsep)\d{{2}})?(?P<ampm>{_SPACE}?{_AMPM})?)"
    r"(?(open)(?P<close>\] ?)|(?P<tail> - |: ))"
    r"(?P<rest>.*)"
)

# The numbers of one distinct date string: "12/03/2026", "2026-03-12", "13. 6. 2018".
DATE_PARTS: Final = re.compile(r"(\d{1,4})[./-] ?(\d{1,2})[./-] ?(\d{1,4})")

# The parts of one distinct time string: "21:15", "9:15:07\u202fPM", "21.25.15", "1:55 p. m.".
TIME_PARTS: Final = re.compile(rf"(\d{{1,2}})[:.](\d{{2}})(?:[:.](\d{{2}}))?(?:{_SPACE}?([AaPp])\.?{_SPACE}?[Mm]\.?)?")

# A last line that starts like a message line but is not one (the file was cut off mid-line):
#   "12/03/2026, 21:1"
BROKEN_HEADER: Final = re.compile(rf"[{_MARKS}]*\[?\d{{1,4}}[./-] ?\d{{1,2}}[./-] ?\d{{1,4}}")
_HEADER_STARTS: Final = frozenset("[0123456789" + _MARKS)

# After the date and time: the name up to the FIRST ": " (a name may hold ":" as in "Mo :)"), then the
# text; a line without ": " is a system line ("Theo Banerjee left") and its name group is None.
# (Atomic groups and a possessive loop: the same matches as without them, found without backtracking.)
_NAME_AND_TEXT: Final = r"(?:((?>[^:\n]*)(?::(?! )(?>[^:\n]*))*+): )?(.*)"

Tail = Literal["]", " - ", ": "]
_OTHER_HALF_OF_DAY: Final = str.maketrans("aApP", "pPaA")
_AM_SPELLING: Final = str.maketrans("pP", "aA")


@dataclass(frozen=True)
class LineShape:
    """How the message lines of one export look. An export is written at one moment in one locale, so
    one shape holds for the whole file; the "loose" regex still accepts every time style of the file's
    bracket/separator family, in case a line differs."""

    tail: Tail  # "]" (iOS), " - " (Android) or ": " (older exports)
    date_sep: str  # "/", "." or "-"
    joint: str  # between date and time: ", ", " ", ",\u00a0", " klo "
    time_sep: str  # ":" or "."
    seconds: bool
    half_day: str  # how AM/PM is written (as AM), with the space before it: "\u202fAM", " a. m."; "" for 24 h
    after_bracket: str  # " " or "" after "]"
    date_digits: tuple[int, int, int]  # digits of the year, 0 elsewhere: (0, 0, 2) for "3/12/26"
    date_spaces: bool  # "13. 6. 2018": a space after each separator

    @classmethod
    def of(cls, m: re.Match[str]) -> LineShape:
        numbers = DATE_PARTS.fullmatch(m.group("date"))
        assert numbers is not None  # GENERIC_HEADER matched it
        lengths = [len(n) for n in numbers.groups()]
        year_at = 0 if lengths[0] >= 3 else 2
        return cls(
            tail="]" if m.group("open") else cast(Tail, m.group("tail")),
            date_sep=m.group("sep"),
            joint=m.group("joint"),
            time_sep=m.group("tsep"),
            seconds=m.group("seconds") is not None,
            half_day=(m.group("ampm") or "").translate(_AM_SPELLING),  # "\u202fPM" -> "\u202fAM": one shape
            after_bracket=(m.group("close") or "]")[1:],
            date_digits=cast("tuple[int, int, int]", tuple(n if i == year_at else 0 for i, n in enumerate(lengths))),
            date_spaces=" " in m.group("date"),
        )

    def loose_pattern(self) -> str:
        """Every message line of this family. Groups: date, time, name (None for a system line), text."""
        #   "12/03/2026, 21:15 - Mara Lindqvist: see you at 8", also "12/03/2026 9:15:07 pm - ..."
        sep = re.escape(self.date_sep)
        date_time = rf"(\d{{1,4}}{sep} ?\d{{1,2}}{sep} ?\d{{1,4}}){_JOINT}({_ANY_TIME})"
        if self.tail == "]":
            return rf"[{_MARKS}]*\[{date_time}\] ?{_NAME_AND_TEXT}"
        return rf"[{_MARKS}]*{date_time}{re.escape(self.tail)}{_NAME_AND_TEXT}"

    def exact_pattern(self) -> str:
        """The message lines exactly as the file's first ones look (a faster regex). Same groups."""
        #   "3/12/26, 9:15\u202fPM - Mara Lindqvist: see you at 8" is matched by
        #   "(\d{1,2}/\d{1,2}/\d{2}), (\d{1,2}:\d{2}\u202f[AP]M) - " + name and text
        sep = re.escape(self.date_sep) + (" " if self.date_spaces else "")
        date_part = "(" + sep.join(rf"\d{{{n}}}" if n else r"\d{1,2}" for n in self.date_digits) + ")"
        clock_sep = re.escape(self.time_sep)
        clock = rf"\d{{1,2}}{clock_sep}\d{{2}}" + (rf"{clock_sep}\d{{2}}" if self.seconds else "")
        if self.half_day:  # the same spelling with either letter: "\u202fAM" -> "\u202f[AP]M"
            i = next(i for i, c in enumerate(self.half_day) if c in "AaPp")
            letters = self.half_day[i] + self.half_day[i].translate(_OTHER_HALF_OF_DAY)
            clock += f"{re.escape(self.half_day[:i])}[{letters}]{re.escape(self.half_day[i + 1 :])}"
        tail = re.escape(self.after_bracket if self.tail == "]" else self.tail)
        if self.tail == "]":
            return rf"[{_MARKS}]*\[{date_part}{re.escape(self.joint)}({clock})\]{tail}{_NAME_AND_TEXT}"
        return rf"[{_MARKS}]*{date_part}{re.escape(self.joint)}({clock}){tail}{_NAME_AND_TEXT}"


@dataclass(frozen=True)
class ShapeRegexes:
    """The compiled regexes of one line shape."""

    line: re.Pattern[str]  # loose, for one line
    split_loose: re.Pattern[str]  # loose, anchored on "\n", for re.split over a block
    split_exact: re.Pattern[str]  # exact, anchored on "\n"; falls back to split_loose where it misses a line

    @classmethod
    def of(cls, shape: LineShape) -> ShapeRegexes:
        loose = shape.loose_pattern()
        exact = shape.exact_pattern()
        split_loose = re.compile("\n" + loose)
        return cls(re.compile(loose), split_loose, re.compile("\n" + exact) if exact != loose else split_loose)


SHAPE_SAMPLE_LINES: Final = 1000  # a message line must show within this many lines
SHAPE_SAMPLE_MATCHES: Final = 25  # the shape is the most common one among this many first message lines


def detect_shape(first_lines: Iterable[str]) -> LineShape | None:
    """The most common line shape among the first message lines, or None when no line is a message line."""
    shapes: Counter[LineShape] = Counter()
    for line in first_lines:
        m = GENERIC_HEADER.match(line)
        if m is not None:
            shapes[LineShape.of(m)] += 1
            if shapes.total() >= SHAPE_SAMPLE_MATCHES:
                break
    return shapes.most_common(1)[0][0] if shapes else None


# ---------------------------------------------------------------------------------------------------------
# Reading text in blocks of whole lines
# ---------------------------------------------------------------------------------------------------------

BLOCK_BYTES: Final = 4 * 1024 * 1024  # memory stays flat however large the file is
BLOCK_LINES: Final = 65536  # lines per block when the text comes line by line (UTF-16 files)


@dataclass(frozen=True, slots=True)
class TextBlock:
    """Whole lines of the file, each one preceded by "\n" (the split regex anchors on it)."""

    text: str
    first_line: int  # 1-based number of the block's first line

    @property
    def line_count(self) -> int:
        return self.text.count("\n")

    def first_lines(self, limit: int) -> list[str]:
        return self.text.split("\n", limit + 1)[1 : limit + 1]


def text_blocks(stream: BinaryIO, name: str, total: int, progress: ProgressCallback | None) -> Iterator[TextBlock]:
    """The file as blocks of whole lines. UTF-8 (with or without BOM) is read here in large blocks; UTF-16
    goes through textio.iter_text_lines. Bad bytes raise ImportFormatError naming the file and line, like
    textio does, and lines are split on "\n" only (a trailing "\r" is dropped)."""
    first = stream.read(max(BLOCK_BYTES, 4))  # at least enough to see a byte-order mark
    if detect_bom(first) == "utf-16":
        replay = cast(BinaryIO, _Replay(first, stream))
        yield from blocks_of_lines(iter_text_lines(replay, name, total=total, progress=progress))
        return
    yield from utf8_blocks(first, stream, name, total, progress)


def utf8_blocks(
    first: bytes, stream: BinaryIO, name: str, total: int, progress: ProgressCallback | None
) -> Iterator[TextBlock]:
    done = len(first)
    line_no = 1
    pending: list[bytes] = []  # the start of a line that goes on in the next chunk
    chunk = first.removeprefix(codecs.BOM_UTF8)
    while chunk:
        cut = chunk.rfind(b"\n")
        if cut < 0:
            pending.append(chunk)
        else:
            data = b"".join((*pending, chunk[:cut]))  # whole lines, without the last "\n"
            pending = [chunk[cut + 1 :]]
            yield decode_block(data, name, line_no)
            line_no += data.count(b"\n") + 1
        if progress is not None:
            progress(done, total)
        chunk = stream.read(BLOCK_BYTES)
        done += len(chunk)
    rest = b"".join(pending)
    if rest:
        yield decode_block(rest, name, line_no)


def decode_block(data: bytes, name: str, first_line: int) -> TextBlock:
    if b"\x00" in data:
        line = first_line + data.count(b"\n", 0, data.index(b"\x00"))
        raise ImportFormatError(name, "contains binary data (a NUL byte), so it is not a text chat export", line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + data.count(b"\n", 0, exc.start)
        raise ImportFormatError(
            name,
            f"is not UTF-8 text (byte 0x{data[exc.start]:02X}); export the chat again or save it as UTF-8",
            line,
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").removesuffix("\r")
    return TextBlock("\n" + text, first_line)


def blocks_of_lines(lines: Iterable[tuple[int, str]]) -> Iterator[TextBlock]:
    batch: list[str] = []
    first_line = 1
    for line_no, line in lines:
        if not batch:
            first_line = line_no
        batch.append(line)
        if len(batch) >= BLOCK_LINES:
            yield TextBlock("\n" + "\n".join(batch), first_line)
            batch = []
    if batch:
        yield TextBlock("\n" + "\n".join(batch), first_line)


class _Replay:
    """A byte stream that returns ``head`` and then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0 or size >= len(self._head):
                head, self._head = self._head, b""
                return head + (self._stream.read(size - len(head)) if size > len(head) else b"")
            head, self._head = self._head[:size], self._head[size:]
            return head
        return self._stream.read(size)


# ---------------------------------------------------------------------------------------------------------
# Pass one: message lines as columns
# ---------------------------------------------------------------------------------------------------------


class SenderNames(dict[str | None, str | None]):
    """Text before ": " -> sender id, or None when it is no name (a system text); each text judged once."""

    def __missing__(self, candidate: str | None) -> str | None:
        sender = None if candidate is None else sender_from_candidate(candidate)
        self[candidate] = sender
        return sender


@dataclass
class RawMessages:
    """Pass one: the messages of a file as parallel columns, dates and times still as written."""

    line_numbers: list[int] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)  # one shared str object per distinct date string
    times: list[str] = field(default_factory=list)  # one shared str object per distinct time string
    senders: list[str | None] = field(default_factory=list)  # None: a system line
    texts: list[str] = field(default_factory=list)  # with continuation lines; a system line's whole text
    skipped_lines: list[int] = field(default_factory=list)  # lines before the first message line
    last_line: str = ""
    last_line_no: int = 0
    _date_pool: dict[str, str] = field(default_factory=dict, repr=False)
    _time_pool: dict[str, str] = field(default_factory=dict, repr=False)
    _sender_names: SenderNames = field(default_factory=SenderNames, repr=False)
    _spill: dict[int, list[str]] = field(default_factory=dict, repr=False)  # message -> lines from later blocks

    def add_block(self, parts: list[str | None], first_line: int) -> None:
        """Add one block split by the message-line regex:
        [lines before, (date, time, name, text, continuation lines)...], continuation lines as "\nline"."""
        lead = cast(str, parts[0])
        dates = cast("list[str]", parts[1::5])
        times = cast("list[str]", parts[2::5])
        names = parts[3::5]
        texts = cast("list[str]", parts[4::5])
        gaps = cast("list[str]", parts[5::5])
        if lead:  # lines that continue the last message of the block before, or come before any message
            if self.texts:  # joined once at the end: a message spanning many blocks must not be copied each time
                self._spill.setdefault(len(self.texts) - 1, []).append(lead)
            else:
                self.skipped_lines.extend(range(first_line, first_line + lead.count("\n")))
        # the line of message i: the first one's line + i + the continuation lines before it
        first_message_line = first_line + lead.count("\n")
        lines_between = accumulate(map(str.count, gaps, repeat("\n")), initial=first_message_line)
        self.line_numbers.extend(map(add, lines_between, range(len(gaps))))
        self.dates.extend(map(self._date_pool.setdefault, dates, dates))
        self.times.extend(map(self._time_pool.setdefault, times, times))
        senders = list(map(self._sender_names.__getitem__, names))
        for i in compress(range(len(senders)), map(is_, senders, repeat(None))):
            senders[i], texts[i] = system_line(names[i], texts[i])
        for i in compress(range(len(gaps)), gaps):  # a multi-line message: "text" + "\nline 2\nline 3"
            texts[i] += gaps[i]
        self.senders.extend(senders)
        self.texts.extend(texts)

    def finish(self) -> None:
        """Join the continuation lines that came in later blocks to their messages."""
        for index, pieces in self._spill.items():
            self.texts[index] = "".join((self.texts[index], *pieces))
        self._spill.clear()


def system_line(name: str | None, text: str) -> tuple[str | None, str]:
    """Sender and text of a line with no sender name: a system text (its ": " restored), or iOS's empty
    message "Name:" that has no space after the colon."""
    if name is not None:  # 'Theo Banerjee changed the subject from "Plans" to "Plans: May"'
        return None, f"{name}: {text}"
    if text.endswith(":") and (sender := sender_from_candidate(text[:-1])) is not None:
        return sender, ""
    return None, text


def hides_message_lines(parts: list[str | None], line_regex: re.Pattern[str]) -> bool:
    """Whether a line the exact regex took for a continuation line is a message line after all."""
    gaps = cast("list[str]", [parts[0], *parts[5::5]])
    return any(
        line[:1] in _HEADER_STARTS and line_regex.match(line) is not None
        for gap in gaps
        if gap
        for line in gap.split("\n")[1:]
    )


def collect_messages(blocks: Iterable[TextBlock], regexes: ShapeRegexes) -> RawMessages:
    """Pass one: split every block with the one regex (the loose one where the exact one misses a line)."""
    raw = RawMessages()
    for block in blocks:
        parts: list[str | None] = regexes.split_exact.split(block.text)
        if regexes.split_exact is not regexes.split_loose and hides_message_lines(parts, regexes.line):
            parts = regexes.split_loose.split(block.text)
        raw.add_block(parts, block.first_line)
        raw.last_line = block.text[block.text.rfind("\n") + 1 :]
        raw.last_line_no = block.first_line + block.line_count - 1
    raw.finish()
    return raw


# ---------------------------------------------------------------------------------------------------------
# Message bodies: attachments, system texts, deleted messages
# ---------------------------------------------------------------------------------------------------------

# Whole first lines that are only a marker. Android: "<Media omitted>" (German "<Medien ausgeschlossen>",
# Spanish "<Multimedia omitido>"); iOS exported without media: "image omitted", "Contact card omitted".
OMITTED_MARKERS: Final[dict[str, AttachmentKind]] = {
    "<Media omitted>": "media",
    "<Medien ausgeschlossen>": "media",
    "<Multimedia omitido>": "media",
    "<Video message omitted>": "video",
    "<Video note omitted>": "video",
    "image omitted": "image",
    "video omitted": "video",
    "audio omitted": "audio",
    "sticker omitted": "sticker",
    "GIF omitted": "gif",
    "document omitted": "document",
    "Contact card omitted": "contact",
}

# iOS puts a mark before the marker when something precedes it:
#   "Lease.pdf • 3 pages \u200edocument omitted"
IOS_OMITTED_AFTER_TEXT: Final = re.compile(
    r"(?P<before>.*?)\u200e(?P<what>image|video|audio|sticker|GIF|document|Contact card) omitted", re.S
)

# A deleted message, exactly as WhatsApp writes it (iOS adds a full stop):
#   "12/03/2026, 21:15 - Mara Lindqvist: This message was deleted"
DELETED_TEXTS: Final = frozenset(
    {"This message was deleted", "This message was deleted.", "You deleted this message", "You deleted this message."}
)

# Other texts saying a message or call existed without words; the sender is kept, is_system=True:
#   "Missed voice call"  "Missed video call, Tap to call back"  "Waiting for this message. This may take a while."
PERSON_EVENT_PREFIXES: Final = (
    "Missed voice call",
    "Missed video call",
    "Missed group voice call",
    "Missed group video call",
    "Waiting for this message",
)

# WhatsApp's own notices in the shape of a sender line (iOS names the chat as the "sender"), unmistakable
# even without iOS's mark in front:
#   "[12/03/2026, 21:15:07] Mara Lindqvist: \u200eMessages and calls are end-to-end encrypted. ..."
SYSTEM_TEXT_PREFIXES: Final = (
    "Messages and calls are end-to-end encrypted",
    "Messages to this group are now secured",
    "Messages to this chat and calls are now secured",
    "Messages you send to this group are now secured",
    "Messages you send to this chat and calls are now secured",
    "Your security code with ",
    "This chat is with a business account",
    "This business uses a secure service",
)

# Group and contact events behind iOS's mark, e.g. "Trip 2026: \u200eTheo Banerjee added Mara Lindqvist", and
# the encryption notice in other languages ("\u200eNachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.").
# Only trusted with the mark in front, so that a person writing "Theo left" is not taken for an event.
MARKED_EVENT: Final = re.compile(
    r"\u200e[^\n]{0,200}?(?:"
    r"created group|created this group|added |removed |left$|joined using this group's invite link|"
    r"changed the subject|changed this group's icon|deleted this group's icon|changed the group description|"
    r"changed their phone number|changed the group name|turned (?:on|off) disappearing messages|"
    r"changed the settings|security code changed|now an admin|You were added|You blocked this contact|"
    r"You unblocked this contact|"
    r"end-to-end encrypted|Ende-zu-Ende-verschlüsselt|cifrados de extremo a extremo|chiffrés de bout en bout|"
    r"criptografia de ponta a ponta|crittografati end-to-end|end-to-end versleuteld"
    r")"
)

# Android system lines have no sender but can contain ": ", e.g.
#   '12/03/2026, 21:15 - Theo Banerjee changed the subject from "Plans" to "Plans: May"'
# A "name" holding one of these phrases is not a name.
SYSTEM_PHRASE_IN_NAME: Final = re.compile(
    r"end-to-end encrypted|security code|created group|changed the subject|changed the group description|"
    r"changed this group|changed their phone number|joined using this group|disappearing messages"
)

# iOS with media: "\u200e<attached: 00000012-PHOTO-2026-03-12-21-15-07.jpg>"; a document may carry its title
# first: "Lease.pdf • 3 pages \u200e<attached: 00000013-Lease.pdf>"; other languages replace the word
# ("<adjunto: 00000030-PHOTO-2020-09-29-10-13-49.jpg>") and keep the 8-digit counter in the file name.
IOS_ATTACHED: Final = re.compile(
    rf"(?P<before>.*?)[{_MARKS}]*<(?:attached: (?P<name>[^<>\n]+)|[^\W\d_][^<>:\n]{{0,30}}: "
    r"(?P<lname>\d{8}-[^<>\n]+))>(?P<after>.*)",
    re.S,
)

# A cheap hint that IOS_ATTACHED may match in another language: "<adjunto: 00000030-"
IOS_ATTACHED_OTHER_LANGUAGE: Final = re.compile(r"<[^<>:\n]{1,31}: \d{8}-")

# Android with media: "IMG-20260312-WA0001.jpg (file attached)" and an optional caption on the next lines;
# Spanish "(archivo adjunto)", German "(Datei angehängt)"; older: "IMG-20150804-WA0001.jpg <\u200eattached>".
ANDROID_ATTACHED: Final = re.compile(
    rf"(?P<name>[^\n]+?\.\w{{1,6}}) (?:\((?P<label>[^()\n]+)\)|<[{_MARKS}]*attached>)(?P<after>(?:\n.*)?)",
    re.S,
)
FILE_ATTACHED_LABELS: Final = frozenset({"file attached", "archivo adjunto", "datei angehängt"})
# WhatsApp's own media file names, whatever the language of the label: "IMG-20260312-WA0001.jpg"
WA_MEDIA_NAME: Final = re.compile(r"(?:IMG|VID|AUD|PTT|STK|DOC)-\d{8}-WA\d+\.\w+")

# A shared location: "location: https://maps.google.com/?q=52.370216,4.895168" (iOS: "Location: ...")
LOCATION: Final = re.compile(r"[Ll]ocation: (?P<url>https?://\S+)(?P<after>.*)", re.S)

# First six characters of every text that read_body treats specially by its start.
_SPECIAL_STARTS: Final = frozenset(
    p[:6]
    for p in (*DELETED_TEXTS, *PERSON_EVENT_PREFIXES, *SYSTEM_TEXT_PREFIXES, *OMITTED_MARKERS, "location", "Location")
)

# Characters that may open or close a name and are never part of it (bidi marks, embeddings and isolates).
_BIDI_CONTROLS: Final = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# A participant named by phone number (not saved as a contact): "+44 7700 900123"
PHONE_NUMBER: Final = re.compile(r"\+?\d[\d ()\-\u00a0]{5,}\d")

# WhatsApp's media file names say what they are: Android "PTT-20260312-WA0002.opus" (a voice message),
# iOS "00000012-PHOTO-2026-03-12-21-15-07.jpg".
MEDIA_FILE_NAME: Final = re.compile(
    r"(?:(?P<android>IMG|VID|AUD|PTT|STK|DOC)-\d{8}-WA\d+|\d{8}-(?P<ios>PHOTO|VIDEO|AUDIO|STICKER|GIF)-)"
)
_KIND_BY_NAME_PART: Final[dict[str, AttachmentKind]] = {
    "IMG": "image",
    "VID": "video",
    "AUD": "audio",
    "PTT": "voice",
    "STK": "sticker",
    "DOC": "document",
    "PHOTO": "image",
    "VIDEO": "video",
    "AUDIO": "voice",
    "STICKER": "sticker",
    "GIF": "gif",
}
_KIND_AND_MIME_BY_EXTENSION: Final[dict[str, tuple[AttachmentKind, str]]] = {
    "jpg": ("image", "image/jpeg"),
    "jpeg": ("image", "image/jpeg"),
    "png": ("image", "image/png"),
    "heic": ("image", "image/heic"),
    "webp": ("image", "image/webp"),
    "gif": ("gif", "image/gif"),
    "mp4": ("video", "video/mp4"),
    "mov": ("video", "video/quicktime"),
    "3gp": ("video", "video/3gpp"),
    "opus": ("audio", "audio/ogg"),
    "ogg": ("audio", "audio/ogg"),
    "m4a": ("audio", "audio/mp4"),
    "mp3": ("audio", "audio/mpeg"),
    "aac": ("audio", "audio/aac"),
    "wav": ("audio", "audio/wav"),
    "pdf": ("document", "application/pdf"),
    "doc": ("document", "application/msword"),
    "docx": ("document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("document", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "txt": ("document", "text/plain"),
    "vcf": ("contact", "text/vcard"),
}


def attachment_for_file(name: str) -> Attachment:
    """An attachment the export names; its kind from WhatsApp's file naming, else from the extension."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    by_extension = _KIND_AND_MIME_BY_EXTENSION.get(extension)
    kind: AttachmentKind = by_extension[0] if by_extension else "other"
    mime_type = by_extension[1] if by_extension else None
    m = MEDIA_FILE_NAME.match(name)
    if m is not None:
        kind = _KIND_BY_NAME_PART[m.group("android") or m.group("ios")]
    return Attachment(kind=kind, name=name, mime_type=mime_type)


@dataclass(frozen=True, slots=True)
class Body:
    """What the text after "Name: " turned out to be."""

    text: str
    attachments: tuple[Attachment, ...] = ()
    is_system: bool = False
    keeps_sender: bool = True


def _tidy(*parts: str) -> str:
    """Text left around an attachment marker (a caption or a document title), without marks and blank edges."""
    return "".join(parts).replace(_MARKS[0], "").replace(_MARKS[1], "").strip(" \n")


def needs_body_reading(body: str) -> bool:
    """Cheap test: could this text be more than plain words? (Most messages are plain words.)"""
    return body[:6] in _SPECIAL_STARTS or "<" in body or " (" in body or body[:1] in _MARKS or body.endswith(" omitted")


def read_body(body: str) -> Body:
    """Attachments, deleted messages, calls and WhatsApp's own notices in a sender's text; else plain text."""
    stripped = body.lstrip(_MARKS)
    first, _, rest = stripped.partition("\n")
    kind = OMITTED_MARKERS.get(first)
    if kind is not None:
        return Body(rest, (Attachment(kind),))
    if stripped in DELETED_TEXTS or stripped.startswith(PERSON_EVENT_PREFIXES):
        return Body(stripped, is_system=True)
    if stripped.startswith(SYSTEM_TEXT_PREFIXES):
        return Body(stripped, is_system=True, keeps_sender=False)
    if "<attached: " in body or IOS_ATTACHED_OTHER_LANGUAGE.search(body):
        m = IOS_ATTACHED.fullmatch(body)
        if m is not None:
            name = (m.group("name") or m.group("lname")).strip()
            return Body(_tidy(m.group("before"), m.group("after")), (attachment_for_file(name),))
    if first.endswith((")", "attached>")):
        m = ANDROID_ATTACHED.fullmatch(stripped)
        if m is not None:
            label, name = m.group("label"), m.group("name")
            if label is None or label.lower() in FILE_ATTACHED_LABELS or WA_MEDIA_NAME.fullmatch(name):
                return Body(_tidy(m.group("after")), (attachment_for_file(name),))
    if stripped.startswith(("location: ", "Location: ")):
        m = LOCATION.fullmatch(stripped)
        if m is not None:
            return Body(_tidy(m.group("after")), (Attachment("location", m.group("url")),))
    if body.endswith(" omitted"):
        m = IOS_OMITTED_AFTER_TEXT.fullmatch(body)
        if m is not None:
            marker = f"{m.group('what')} omitted"
            return Body(_tidy(m.group("before")), (Attachment(OMITTED_MARKERS[marker]),))
    if MARKED_EVENT.match(body):
        return Body(stripped, is_system=True, keeps_sender=False)
    return Body(stripped)


def sender_from_candidate(candidate: str) -> str | None:
    """The sender named before ": ", or None when that part is not a name but a system text."""
    name = candidate.strip(_BIDI_CONTROLS + " ")
    if not name or len(name) > 100 or SYSTEM_PHRASE_IN_NAME.search(name):
        return None
    return name


# ---------------------------------------------------------------------------------------------------------
# Dates and times
# ---------------------------------------------------------------------------------------------------------

DateOrder = Literal["dmy", "mdy", "ymd", "ydm"]
_ORDER_WORDS: Final[dict[str, str]] = {
    "dmy": "day/month/year",
    "mdy": "month/day/year",
    "ymd": "year/month/day",
    "ydm": "year/day/month",
}


@dataclass(frozen=True, slots=True)
class DatedLine:
    """A distinct date string of the file and the first line it is on."""

    text: str
    line: int


def date_numbers(text: str) -> tuple[int, int, int, bool]:
    """The three numbers of a date string and whether the first one is a year (3 or 4 digits)."""
    m = DATE_PARTS.fullmatch(text)
    if m is None:  # cannot happen for strings the header regex captured
        raise ValueError(text)
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), len(m.group(1)) >= 3


def decide_date_order(dates: Iterable[DatedLine], name: str, dayfirst: bool | None) -> DateOrder:
    """The day/month order of the whole file, from every distinct date in it (see the module notes)."""
    year_first: DatedLine | None = None
    year_last: DatedLine | None = None
    first_over_12: DatedLine | None = None  # "25/03/2026": day first
    second_over_12: DatedLine | None = None  # "03/25/2026": month first; "2026/25/03": year-day-month
    third_over_12: DatedLine | None = None  # "2026/03/25": year-month-day
    for dated in dates:
        a, b, c, starts_with_year = date_numbers(dated.text)
        if starts_with_year:
            year_first = year_first or dated
            if c > 12:
                third_over_12 = third_over_12 or dated
        else:
            year_last = year_last or dated
            if a > 12:
                first_over_12 = first_over_12 or dated
        if b > 12:
            second_over_12 = second_over_12 or dated
    if year_first is not None and year_last is not None:
        raise ImportFormatError(
            name,
            f"mixes year-first dates ({year_first.text!r}, line {year_first.line}) with year-last dates "
            f"({year_last.text!r}); the file may be damaged or two exports joined",
            year_last.line,
        )
    if year_first is not None:
        if second_over_12 is not None and third_over_12 is not None:
            raise _no_single_order(name, second_over_12, third_over_12)
        return "ydm" if second_over_12 is not None else "ymd"
    if first_over_12 is not None and second_over_12 is not None:
        raise _no_single_order(name, first_over_12, second_over_12)
    if first_over_12 is not None:
        if dayfirst is False:
            raise ImportFormatError(
                name,
                f"date {first_over_12.text!r} has {date_numbers(first_over_12.text)[0]} where --monthfirst "
                "puts the month, so this file is day-first; rerun with --dayfirst (or without --monthfirst)",
                first_over_12.line,
            )
        return "dmy"
    if second_over_12 is not None:
        if dayfirst is True:
            raise ImportFormatError(
                name,
                f"date {second_over_12.text!r} has {date_numbers(second_over_12.text)[1]} where --dayfirst "
                "puts the month, so this file is month-first; rerun with --monthfirst (or without --dayfirst)",
                second_over_12.line,
            )
        return "mdy"
    if dayfirst is None:
        raise AmbiguousDateError(
            name,
            "every date in this file reads both day-first and month-first (no day is above 12); rerun with "
            "--dayfirst (03/04 is 3 April) or --monthfirst (03/04 is March 4)",
        )
    return "dmy" if dayfirst else "mdy"


def _no_single_order(name: str, one: DatedLine, other: DatedLine) -> ImportFormatError:
    first, second = sorted((one, other), key=lambda d: d.line)
    return ImportFormatError(
        name,
        f"dates fit no single day/month order ({first.text!r} on line {first.line}, {second.text!r} here); "
        "the file may be damaged or two exports joined",
        second.line,
    )


def to_date(text: str, order: DateOrder) -> date:
    """One date string in the file's order; ValueError for an impossible date such as 31/02."""
    a, b, c, _ = date_numbers(text)
    if order == "dmy":
        day, month, year = a, b, c
    elif order == "mdy":
        month, day, year = a, b, c
    elif order == "ymd":
        year, month, day = a, b, c
    else:
        year, day, month = a, b, c
    if year < 100:
        year += 2000
    elif year < 1000:  # a 3-digit year is damage, not a date
        raise ValueError(text)
    return date(year, month, day)


def to_time(text: str) -> time:
    """One time string ("21:15", "9:15:07\u202fPM", "12:05 a. m."); ValueError when it is no real time."""
    m = TIME_PARTS.fullmatch(text)
    if m is None:
        raise ValueError(text)
    hour, minute = int(m.group(1)), int(m.group(2))
    second = int(m.group(3)) if m.group(3) else 0
    half = m.group(4)
    if half is not None:
        if hour > 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if half in "Pp" else 0)
    return time(hour, minute, second)


# ---------------------------------------------------------------------------------------------------------
# Pass two: messages
# ---------------------------------------------------------------------------------------------------------


def first_lines_of(raw: RawMessages) -> dict[str, int]:
    """The first line of every distinct date string (C-speed scans: dates come mostly in order)."""
    found: dict[str, int] = {}
    dates = raw.dates
    start = 0
    for text in dict.fromkeys(dates):  # in order of first appearance, so each index is after the last
        start = dates.index(text, start)
        found[text] = raw.line_numbers[start]
    return found


def resolve_dates(raw: RawMessages, name: str, dayfirst: bool | None) -> dict[str, date]:
    first_line = first_lines_of(raw)
    order = decide_date_order((DatedLine(t, n) for t, n in first_line.items()), name, dayfirst)
    resolved: dict[str, date] = {}
    for text, line in first_line.items():
        try:
            resolved[text] = to_date(text, order)
        except ValueError:
            raise ImportFormatError(
                name, f"impossible date {text!r} (read as {_ORDER_WORDS[order]}); the file may be damaged", line
            ) from None
    return resolved


def resolve_times(raw: RawMessages, name: str) -> dict[str, time]:
    resolved: dict[str, time] = {}
    for text in dict.fromkeys(raw.times):
        try:
            resolved[text] = to_time(text)
        except ValueError:
            line = raw.line_numbers[raw.times.index(text)]
            raise ImportFormatError(name, f"impossible time {text!r}; the file may be damaged", line) from None
    return resolved


def build_messages(
    raw: RawMessages, dates: dict[str, date], times: dict[str, time]
) -> tuple[list[Message], list[Participant]]:
    """Pass two: one Message per message line, in file order, and the participants in order of appearance.

    Works on whole columns (texts, senders, ...) so that the per-message work runs in C; only the few
    messages that may hold more than words (attachments, deletions, notices) are read one by one."""
    count = len(raw.texts)
    senders, texts = raw.senders, raw.texts
    attachments: list[tuple[Attachment, ...]] = [()] * count
    is_system = [False] * count
    for i in compress(range(count), map(is_, senders, repeat(None))):
        is_system[i] = True
        texts[i] = texts[i].lstrip(_MARKS)
    for i in [i for i, text in enumerate(texts) if needs_body_reading(text)]:
        if is_system[i]:
            continue
        body = read_body(texts[i])
        texts[i], attachments[i], is_system[i] = body.text, body.attachments, body.is_system
        if not body.keeps_sender:
            senders[i] = None
    stamps = map(datetime.combine, map(dates.__getitem__, raw.dates), map(times.__getitem__, raw.times))
    messages = list(map(Message, range(count), stamps, senders, texts, attachments, is_system, raw.line_numbers))
    participants = [new_participant(s) for s in dict.fromkeys(senders) if s is not None]
    return messages, participants


def new_participant(sender: str) -> Participant:
    return Participant(sender, sender, sender if PHONE_NUMBER.fullmatch(sender) else None)


def import_notes(raw: RawMessages, regexes: ShapeRegexes) -> list[str]:
    """Warnings for the user: lines skipped before the first message, a last line that looks cut off."""
    notes: list[str] = []
    if raw.skipped_lines:
        first, last = raw.skipped_lines[0], raw.skipped_lines[-1]
        where = f"line {first} comes" if first == last else f"lines {first}-{last} come"
        notes.append(f"{where} before the first dated message line and were skipped")
    end = raw.last_line
    if end[:1] in _HEADER_STARTS and BROKEN_HEADER.match(end) and regexes.line.match(end) is None:
        notes.append(
            f"the last line ({raw.last_line_no}) starts like a message line but is incomplete, so the file "
            "seems cut off; that line was kept as text of the message before it"
        )
    return notes


@dataclass(frozen=True)
class ParsedChat:
    messages: list[Message]
    participants: list[Participant]
    warnings: list[str]


def parse_export(stream: BinaryIO, name: str, total: int, options: ImportOptions) -> ParsedChat:
    """Read a WhatsApp text export (the three steps in the module notes)."""
    blocks = text_blocks(stream, name, total, progress_callback(options))
    head: list[TextBlock] = []  # the first blocks, read to learn the line shape (normally just one)
    sample: list[str] = []
    for block in blocks:
        head.append(block)
        sample += block.first_lines(SHAPE_SAMPLE_LINES - len(sample))
        if len(sample) >= SHAPE_SAMPLE_LINES:
            break
    shape = detect_shape(sample)
    if shape is None:
        raise ImportFormatError(
            name,
            "has no WhatsApp message lines (like '12/03/2026, 21:15 - Name: text' or "
            "'[12/03/2026, 21:15:07] Name: text') near its start; is it a WhatsApp chat export?",
        )
    regexes = ShapeRegexes.of(shape)
    with gc_paused():
        raw = collect_messages(chain(head, blocks), regexes)
        dates = resolve_dates(raw, name, options.dayfirst)
        times = resolve_times(raw, name)
        messages, participants = build_messages(raw, dates, times)
    return ParsedChat(messages, participants, import_notes(raw, regexes))


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects that form no cycles.

    Otherwise its collections walk the growing message list again and again (a third of the time for a
    million messages); reference counting still frees everything as usual. On the way out, what was built
    is moved to the oldest generation without a walk (gc.freeze + gc.unfreeze), unless the program froze
    objects itself; else the first collection after re-enabling would walk every new message once more."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def conversation_from(parsed: ParsedChat, source: SourceFile, title: str | None) -> Conversation:
    return Conversation(
        format=FORMAT_NAME,
        source=source,
        participants=tuple(parsed.participants),
        messages=tuple(parsed.messages),
        naive_timestamps=True,
        title=title,
        warnings=tuple(parsed.warnings),
    )


# Chat titles in export file names: "WhatsApp Chat with Mara Lindqvist.txt", "WhatsApp Chat - Mara.zip"
CHAT_TITLE_IN_FILE_NAME: Final = re.compile(r"WhatsApp[- ]Chat(?: with| mit| con| com| avec| met| -) (?P<title>.+)")


def title_from_file_name(file_name: str) -> str | None:
    m = CHAT_TITLE_IN_FILE_NAME.fullmatch(PurePosixPath(file_name).stem)
    return (m.group("title").strip() or None) if m else None


def progress_callback(options: ImportOptions) -> ProgressCallback | None:
    return options.report if options.progress is not None else None


def read_text_export(path: Path, options: ImportOptions) -> Conversation:
    size = check_file(path, options.max_bytes)
    try:
        with path.open("rb") as fh:
            parsed = parse_export(fh, str(path), size, options)
        source = source_file(path)
    except OSError as exc:
        raise ImportFormatError(path, f"cannot be read ({printable(exc.strerror or exc)})") from None
    return conversation_from(parsed, source, title_from_file_name(path.name))


# ---------------------------------------------------------------------------------------------------------
# Reading a .zip export
# ---------------------------------------------------------------------------------------------------------

ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
# What zipfile raises for damaged, truncated, encrypted or oddly compressed archives.
ZIP_ERRORS: Final = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    struct.error,
)


def printable(text: object) -> str:
    """Text for a one-line error message: control characters (a newline in a member name) escaped."""
    return _CONTROL_CHARACTERS.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


_CONTROL_CHARACTERS: Final = re.compile(r"[\x00-\x1f\x7f]")


class GuardedStream:
    """A zip member read so that any unpacking failure becomes one clear ImportFormatError."""

    def __init__(self, stream: IO[bytes], name: str) -> None:
        self._stream = stream
        self._name = name

    def read(self, size: int = -1) -> bytes:
        try:
            return self._stream.read(size)
        except ZIP_ERRORS as exc:
            raise ImportFormatError(
                self._name, f"cannot be unpacked ({printable(exc)}); the archive is damaged, export the chat again"
            ) from None


def is_chat_file_name(name: str) -> bool:
    base = PurePosixPath(name).name
    return base == "_chat.txt" or (base.startswith("WhatsApp Chat") and base.endswith(".txt"))


def text_members(names: Iterable[str]) -> list[str]:
    return [n for n in names if n.lower().endswith(".txt") and not n.startswith("__MACOSX/")]


def choose_chat_member(zf: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    """The chat text of an export archive: "_chat.txt" (iOS) or "WhatsApp Chat with X.txt" (Android), else
    the one .txt member that looks like a chat (media can include shared .txt documents too)."""
    infos = {info.filename: info for info in zf.infolist() if info.filename and not info.is_dir()}
    texts = text_members(infos)
    if not texts:
        raise ImportFormatError(path, "is a zip archive without a chat text file (.txt); export the chat again")
    named = sorted(
        (n for n in texts if is_chat_file_name(n)), key=lambda n: (n.count("/"), not n.endswith("_chat.txt"))
    )
    if named:
        return infos[named[0]]
    if len(texts) == 1:
        return infos[texts[0]]
    for member_name in texts:
        if peek_is_chat(zf, infos[member_name]):
            return infos[member_name]
    listed = printable(", ".join(texts[:5]))
    raise ImportFormatError(path, f"is a zip archive whose .txt files ({listed}) are not WhatsApp chats")


def peek_is_chat(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the first few KB of a member hold WhatsApp message lines (never raises)."""
    if info.flag_bits & 0x1:
        return False
    try:
        with zf.open(info) as member:
            head = member.read(8192)
    except ZIP_ERRORS:
        return False
    text = decode_head(head)
    return text is not None and count_header_lines(text) >= 1


def human_size(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / 1024**2:.1f} MB" if n < 1024**3 else f"{n / 1024**3:.1f} GB"


def check_member(info: zipfile.ZipInfo, path: Path, options: ImportOptions) -> None:
    """Refuse a member that would unpack beyond the size limit (zip bomb) or that is encrypted."""
    if info.file_size > options.max_bytes:
        raise FileTooLargeError(
            path,
            f"member {info.filename!r} would unpack to {human_size(info.file_size)}, larger than the "
            f"{human_size(options.max_bytes)} limit; if this really is your chat, raise the limit with --max-size",
        )
    if info.flag_bits & 0x1:
        raise ImportFormatError(path, f"member {info.filename!r} is password-protected; export the chat again")


def read_zip_export(path: Path, options: ImportOptions) -> Conversation:
    check_file(path, options.max_bytes)
    try:
        archive = zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        raise ImportFormatError(
            path, f"is not a readable zip archive ({printable(exc)}); export the chat again"
        ) from None
    with archive:
        info = choose_chat_member(archive, path)
        check_member(info, path, options)
        name = f"{path}/{printable(info.filename)}"
        try:
            member = archive.open(info)
        except ZIP_ERRORS as exc:
            raise ImportFormatError(name, f"cannot be unpacked ({printable(exc)}); export the chat again") from None
        with member:
            stream = cast(BinaryIO, GuardedStream(member, name))
            parsed = parse_export(stream, name, info.file_size, options)
    try:
        source = source_file(path, info.filename)
    except OSError as exc:
        raise ImportFormatError(path, f"cannot be read ({printable(exc.strerror or exc)})") from None
    title = title_from_file_name(path.name) or title_from_file_name(info.filename)
    return conversation_from(parsed, source, title)


# ---------------------------------------------------------------------------------------------------------
# Sniffing
# ---------------------------------------------------------------------------------------------------------

SNIFF_LINES: Final = 40
# Strings only WhatsApp writes; one of them near the start makes a file with message lines surely WhatsApp.
WHATSAPP_MARKERS: Final = ("end-to-end encrypted", "<Media omitted>", " omitted", "(file attached)", "<attached: ")


def first_lines(text: str) -> list[str]:
    lines = [line.removesuffix("\r") for line in text.split("\n")[:SNIFF_LINES]]
    if len(lines) > 1 and not text.endswith("\n"):
        lines.pop()  # the sample may end mid-line
    return lines


def count_header_lines(text: str) -> int:
    return sum(1 for line in first_lines(text) if GENERIC_HEADER.match(line))


def sniff_text(text: str) -> float:
    lines = first_lines(text.removeprefix("\ufeff"))
    matches = [m for line in lines if (m := GENERIC_HEADER.match(line)) is not None]
    if not matches:
        return 0.0
    if len(matches) < 3:
        # a tiny export (one or two messages) still counts when nothing else is in the file
        tiny = GENERIC_HEADER.match(lines[0]) is not None and sum(1 for line in lines if line.strip()) <= 4
        return 0.6 if tiny else 0.0
    if any(marker in text for marker in WHATSAPP_MARKERS):
        return 0.95
    if looks_like_signal_markdown(matches, lines):
        return 0.75  # let a Signal sniffer win
    return 0.9


def looks_like_signal_markdown(matches: list[re.Match[str]], lines: list[str]) -> bool:
    """signal-export writes "[2026-03-12 21:15:07] Name: text" too, but as Markdown: each line ends with
    two spaces (a line break) and a blank line follows each message."""
    first = matches[0]
    if not (first.group("open") and first.group("sep") == "-"):
        return False
    two_space_ends = sum(1 for m in matches if m.string.endswith("  "))
    blank_lines = sum(1 for line in lines if not line.strip())
    return two_space_ends * 2 >= len(matches) or blank_lines * 2 >= len(matches)


def sniff_zip(sample: Sample) -> float:
    texts = text_members(sample.zip_names)
    named = [n for n in texts if is_chat_file_name(n)]
    candidates = named or texts[:3]
    if not candidates:
        return 0.0
    with zipfile.ZipFile(sample.path) as zf:
        for member_name in candidates:
            if peek_is_chat(zf, zf.getinfo(member_name)):
                return 0.95 if named else 0.85
    return 0.5 if named else 0.0


class WhatsAppImporter:
    """WhatsApp "Export chat" files from Android and iPhone, as .txt or .zip."""

    name = FORMAT_NAME
    title = "WhatsApp chat export (.txt or .zip; Android and iPhone, any date style)"
    example = "12/03/2026, 21:15 - Mara Lindqvist: see you at 8"

    def sniff(self, sample: Sample) -> float:
        try:
            if sample.is_zip:
                return sniff_zip(sample)
            return 0.0 if sample.text is None else sniff_text(sample.text)
        except Exception:  # sniffing must never raise; read() reports what is wrong with the file
            return 0.0

    def read(self, path: Path, options: ImportOptions) -> Conversation:
        path = Path(path)
        check_file(path, options.max_bytes)
        try:
            with path.open("rb") as fh:
                magic = fh.read(4)
        except OSError as exc:
            raise ImportFormatError(path, f"cannot be read ({printable(exc.strerror or exc)})") from None
        if magic in ZIP_MAGIC:
            return read_zip_export(path, options)
        return read_text_export(path, options)


IMPORTER: Final = WhatsAppImporter()
