"""A conversation pasted as plain text, one turn per line: "Name: text", optionally with a time.

This is the fallback when an app cannot export: people copy the chat, or type it out, into a text file.
Sources the shapes were learned from: IRC and chat-log parsers on GitHub (irssi/weechat logs with
"[HH:MM]" prefixes and "--- Day changed" separators, a Discord "[HH:MM] nick: text" log parser),
chat-miner's Signal parser ("[YYYY-MM-DD, HH:MM] Name: text"), and chatbot transcript exporters
("[13:20:15] You: Hello!"). The rules and fixtures here are our own.

Turn lines (``Name`` is the speaker; the time is optional)::

    Sam: text                         [21:15] Sam: text        [9:15 PM] Sam: text
    [2026-03-12 21:15] Sam: text      2026-03-12 21:15 Sam: text   21:15 - Sam: text
    Sam (21:15): text                 Sam (2026-03-12 21:15:03): text

Dates are ISO (year first) only: "12/03/2026 21:15 - Sam:" is a WhatsApp export and day/month order must
not be guessed here. A line holding only an ISO date ("2026-03-12", "--- 2026-03-12 ---") at the start or
after a blank line is a day separator: it gives the date to the times that follow and is not message text.

Which lines start a turn (rules a careful reader would apply, each tested):

* A name is short: at most 40 characters and 4 words, starts with a letter, "@", "_", "~" or an emoji,
  and holds no URL and no sentence punctuation (``? ! , ; " ( ) [ ] { } < > / \\ | = * #``), except a
  short note in brackets at its end ("Mum (new number)").
* "Name:" must be followed by a space or the end of the line, so "https://x" and "at 10:30" never split.
* When most turn lines carry a time, every timed line is a turn, and a line without a time starts one
  only if its name is one of the timed speakers ("[21:15] Sam: ..." then "Note: ..." keeps "Note: ..."
  inside Sam's message).
* Otherwise a speaker must start at least two lines, or (when fewer than two people do) be one of the
  first two names. Label words ("Note", "PS", "Edit", "Subject", "Q", ...) count as speakers only when
  they recur and are among the first two names, as in a "Q:"/"A:" interview. Every "Name: ..." line that
  is not taken as a turn is listed in a warning, so a user can see the choice.
* Every other line (and every indented line) continues the message before it, keeping its line breaks
  (blank lines between turns are separators). Lines before the first turn are kept as one system line.

Timestamps are always naive (a transcript has no zone). Where the file gives no date, 2000-01-01 is used
as a placeholder; times that go back by more than an hour start a new day; a file with no times at all
gets placeholder times one second apart that keep the order only; a turn without a time in a timed file
gets the time of the turn before it. Each of these is said in
``Conversation.warnings`` (see the ``*_WARNING`` texts below) so nothing downstream mistakes them for data.
A message that is only an attachment marker ("<Media omitted>", "[image]", "<attached: IMG_1.jpg>")
becomes an attachment with empty text.

Sniffing (this is the fallback format, so it scores low): 0.2 when more than half of the first 60 non-blank
lines are turns by at least two names that are not labels (and, from four turns on, someone speaks twice);
0.1 when they are all one person's (one side of a chat pasted alone); otherwise 0.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final

from bondlens.errors import ImportFormatError
from bondlens.importers.base import SAMPLE_BYTES, ConversationBuilder, ImportOptions, Sample, check_file, source_file
from bondlens.importers.tabular import attachment_for
from bondlens.importers.textio import iter_text_lines
from bondlens.model import Attachment, AttachmentKind, Conversation

PLACEHOLDER_DATE: Final = date(2000, 1, 1)
NEW_DAY_AFTER: Final = timedelta(hours=1)  # a time this much earlier than the last one starts a new day
MAX_NAME_CHARS: Final = 40
MAX_NAME_WORDS: Final = 4

NO_TIMES_WARNING: Final = (
    "no times in this transcript: timestamps are placeholders (2000-01-01, one second apart) that keep the "
    "order only; do not read times of day or reply gaps from them"
)
NO_DATES_WARNING: Final = (
    "the transcript has times but no dates: the date 2000-01-01 is a placeholder, so only times of day and "
    "gaps within a day are real"
)

# Words that label a part of a message ("Note: ...") far more often than they name a person.
LABEL_WORDS: Final = frozenset(
    {
        "note", "notes", "nb", "n.b.", "ps", "p.s.", "pps", "edit", "edited", "update", "re", "fwd", "fw",
        "subject", "from", "to", "cc", "bcc", "date", "sent", "time", "when", "where", "location",
        "address", "link", "url", "reminder", "todo", "warning", "important", "answer", "question", "q",
        "a", "example", "tip", "reason", "reasons", "step", "option", "also", "and", "but", "so", "because",
        "btw", "fyi", "summary", "status", "reply", "quote", "lol", "ok", "okay", "yes", "no", "well",
        "anyway", "then", "now", "today", "tomorrow", "yesterday", "tonight", "morning", "evening",
        "afternoon", "night", "translation", "source", "error", "info", "debug",
    }
)  # fmt: skip

_TIME: Final = r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?(?:\s?(?P<ampm>[AaPp]\.?\s?[Mm]\.?))?"
_DATE: Final = r"(?P<date>\d{4}-\d{2}-\d{2})"
_STAMP: Final = rf"(?:{_DATE}(?:,?\s+|T))?{_TIME}"
_NAME: Final = r"(?P<name>[^\s:][^:]{0,60}?)"
_REST: Final = r":(?:\s(?P<text>.*)|\s*$)"
TURN_FORMS: Final = (
    re.compile(rf"^\[{_STAMP}\]\s*(?:[-–|]\s*)?{_NAME}{_REST}"),
    re.compile(rf"^{_STAMP}\s+(?:[-–|]\s+)?{_NAME}{_REST}"),
    re.compile(rf"^{_NAME}\s*\({_STAMP}\){_REST}"),
    re.compile(rf"^{_NAME}{_REST}"),
)
_DAY_LINE: Final = re.compile(r"^[\W_]*(\d{4}-\d{2}-\d{2})[\W_]*$")
_FORBIDDEN: Final = frozenset('?!,;"“”()[]{}<>/\\|=*#')
_QUALIFIER: Final = re.compile(r"\s\([^()\[\]{}<>:]{1,20}\)$")
_URLISH: Final = re.compile(r"https?|www\.|\.(?:com|org|net)\b", re.IGNORECASE)
ATTACHMENT_MARKERS: Final[dict[str, AttachmentKind]] = {
    "<media omitted>": "media",
    "media omitted": "media",
    **dict.fromkeys(("[image]", "[photo]", "[picture]", "[image omitted]", "image omitted"), "image"),
    **dict.fromkeys(("[video]", "[video omitted]", "video omitted"), "video"),
    **dict.fromkeys(("[audio]", "[audio omitted]", "audio omitted"), "audio"),
    **dict.fromkeys(("[voice message]", "[voice note]", "[voice]"), "voice"),
    **dict.fromkeys(("[sticker]", "[sticker omitted]", "sticker omitted"), "sticker"),
    **dict.fromkeys(("[gif]", "[gif omitted]", "gif omitted"), "gif"),
    **dict.fromkeys(("[file]", "[document]", "[document omitted]", "document omitted"), "document"),
    "[location]": "location",
    "[contact]": "contact",
}
_NAMED_MARKER: Final = re.compile(
    r"^(?:<attached:\s*(?P<a>[^<>]+?)\s*>|\[(?:attachment|file|attached)\s*:\s*(?P<b>[^\[\]]+?)\s*\])$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Stamp:
    day: date | None
    clock: time


@dataclass(slots=True)
class Turn:
    """A line that may start a turn: its speaker, its optional time and the text after the colon."""

    line: int
    name: str
    stamp: Stamp | None
    text: str


@dataclass(slots=True)
class _Message:
    line: int
    name: str | None
    stamp: Stamp | None
    parts: list[str] = field(default_factory=list)

    def text(self) -> str:
        parts = list(self.parts)
        while parts and not parts[-1].strip():
            parts.pop()
        while parts and not parts[0].strip():
            parts.pop(0)
        return "\n".join(parts)


def is_label(name: str) -> bool:
    """ "Note", "PS", "Step 2": a word that labels part of a message rather than naming a speaker."""
    words = name.casefold().split()
    return name.casefold() in LABEL_WORDS or (
        len(words) == 2 and words[0] in LABEL_WORDS and words[1].rstrip(".").isdigit()
    )


def plausible_name(name: str) -> bool:
    """Could this be a person's name or handle, rather than the start of a sentence?"""
    words = name.split()
    if not words or len(name) > MAX_NAME_CHARS or len(words) > MAX_NAME_WORDS:
        return False
    qualifier = _QUALIFIER.search(name)  # "Mum (new number)": a note in brackets after the name
    bare = name[: qualifier.start()] if qualifier else name
    if not bare or any(ch in _FORBIDDEN for ch in bare) or _URLISH.search(name):
        return False
    first = name[0]
    category = unicodedata.category(first)
    return first in "@_~" or category.startswith("L") or category in ("So", "Sk")


def _clock(match: re.Match[str]) -> time | None:
    hour, minute = int(match["h"]), int(match["m"])
    second = int(match["s"]) if match["s"] else 0
    ampm = match["ampm"]
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.strip(".").lower().startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def match_turn(line: str, line_no: int) -> Turn | None:
    """The turn this line starts, if its shape and its name allow it (no recurrence rule yet)."""
    for form in TURN_FORMS:
        match = form.match(line)
        if match is None:
            continue
        name = match["name"].strip()
        if not plausible_name(name):
            continue
        stamp: Stamp | None = None
        if match.groupdict().get("h") is not None:
            clock = _clock(match)
            if clock is None:
                continue
            day = None
            if match["date"]:
                try:
                    day = date.fromisoformat(match["date"])
                except ValueError:
                    continue
            stamp = Stamp(day, clock)
        return Turn(line_no, name, stamp, (match["text"] or "").strip())
    return None


def choose_speakers(turns: list[Turn]) -> tuple[set[str], bool]:
    """The names that really start turns, and whether timed lines decide it (see the module rules).

    When timed lines decide, every timed line is a turn and an untimed one only if its name is in the set.
    """
    timed = [t for t in turns if t.stamp is not None]
    if len(timed) * 2 > len(turns):
        return {t.name for t in timed}, True
    counts = Counter(t.name for t in turns)
    order = list(dict.fromkeys(t.name for t in turns))
    first_two_all = set(order[:2])
    non_label = [n for n in order if not is_label(n)]
    recurring = {n for n in non_label if counts[n] >= 2}
    speakers = set(recurring) if len(recurring) >= 2 else recurring | set(non_label[:2])
    speakers |= {n for n in order if is_label(n) and counts[n] >= 2 and n in first_two_all}
    return speakers, False


def _attachment_marker(text: str) -> tuple[str, tuple[Attachment, ...]]:
    stripped = text.strip()
    kind = ATTACHMENT_MARKERS.get(stripped.casefold())
    if kind is not None:
        return "", (Attachment(kind),)
    named = _NAMED_MARKER.match(stripped)
    if named is not None:
        return "", (attachment_for(named["a"] or named["b"]),)
    return text, ()


class TranscriptImporter:
    name = "transcript"
    title = 'Pasted conversation, one "Name: text" turn per line, times optional'
    example = "[21:15] Sam: Are you home yet?"

    def sniff(self, sample: Sample) -> float:
        try:
            return self._sniff(sample)
        except Exception:  # sniffing must never raise
            return 0.0

    @staticmethod
    def _sniff(sample: Sample) -> float:
        if sample.text is None or sample.is_zip or sample.is_sqlite:
            return 0.0
        lines = sample.text.split("\n")
        if len(sample.head) >= SAMPLE_BYTES and not sample.text.endswith("\n"):
            lines = lines[:-1]
        lines = [line.rstrip("\r") for line in lines if line.strip()][:60]
        lines = [line for line in lines if not line[:1].isspace()] if len(lines) > 1 else lines
        turns = [t for i, line in enumerate(lines) if (t := match_turn(line, i + 1)) is not None]
        names = Counter(t.name for t in turns if not is_label(t.name))
        if len(turns) < 2 or len(turns) * 2 <= len(lines) or not names:
            return 0.0
        if len(names) == 1:
            # one person's messages pasted alone: plausible, but weak evidence
            return 0.1 if len(turns) >= 3 and len(turns) * 5 >= len(lines) * 4 else 0.0
        if len(turns) >= 4 and max(names.values()) < 2:
            return 0.0  # nobody speaks twice: a list of "Key: value" lines, not a conversation
        return 0.2

    def read(self, path: Path, options: ImportOptions) -> Conversation:
        size = check_file(path, options.max_bytes)
        lines: list[tuple[int, str]] = []
        turns: dict[int, Turn] = {}
        with path.open("rb") as fh:
            for line_no, line in iter_text_lines(fh, str(path), total=size, progress=options.report):
                lines.append((line_no, line))
                if line[:1].isspace():
                    continue  # indented: a continuation, never a new turn
                turn = match_turn(line, line_no)
                if turn is not None:
                    turns[line_no] = turn
        options.report(size, size)
        return _Assembler(path, lines, turns).build()


class _Assembler:
    """Second pass: decide the turns, group continuation lines, give every message a timestamp."""

    def __init__(self, path: Path, lines: list[tuple[int, str]], turns: dict[int, Turn]) -> None:
        self.path = path
        self.lines = lines
        self.speakers, self.by_time = choose_speakers(list(turns.values()))
        self.turns = {n: t for n, t in turns.items() if self._accepted(t)}
        self.rejected = [t for n, t in turns.items() if n not in self.turns]
        self.builder = ConversationBuilder("transcript", source_file(path), naive_timestamps=True)

    def _accepted(self, turn: Turn) -> bool:
        return (self.by_time and turn.stamp is not None) or turn.name in self.speakers

    def _group(self) -> tuple[_Message | None, list[_Message], dict[int, date]]:
        """Preamble, messages, and the day separators (by the line they stand on)."""
        preamble: _Message | None = None
        messages: list[_Message] = []
        days: dict[int, date] = {}
        previous_blank = True
        for line_no, line in self.lines:
            turn = self.turns.get(line_no)
            if turn is not None:
                messages.append(_Message(line_no, turn.name, turn.stamp, [turn.text]))
                previous_blank = False
                continue
            day = _DAY_LINE.match(line)
            if day is not None and (previous_blank or not messages):
                try:
                    days[line_no] = date.fromisoformat(day[1])
                    previous_blank = False
                    continue
                except ValueError:
                    pass
            if messages:
                messages[-1].parts.append(line)
            elif line.strip():
                preamble = preamble or _Message(line_no, None, None)
                preamble.parts.append(line)
            previous_blank = not line.strip()
        return preamble, messages, days

    def build(self) -> Conversation:
        preamble, messages, days = self._group()
        if not messages:
            raise ImportFormatError(
                self.path,
                'found no "Name: message" lines; a transcript needs one turn per line, like "Sam: hello" '
                "(or name the app's own format with --format)",
            )
        times = self._timestamps(messages, days)
        if preamble is not None:
            self.builder.add(times[0], None, preamble.text(), is_system=True, source_line=preamble.line)
            self.builder.warn(
                f"lines {preamble.line}-{messages[0].line - 1} come before the first turn; kept as one system line"
            )
        for message, moment in zip(messages, times, strict=True):
            assert message.name is not None
            text, attachments = _attachment_marker(message.text())
            self.builder.add(moment, message.name, text, attachments, source_line=message.line)
        if self.rejected:
            shown = ", ".join(f'line {t.line} "{t.name}:"' for t in self.rejected[:5])
            more = f" and {len(self.rejected) - 5} more" if len(self.rejected) > 5 else ""
            why = (
                "no time, while the speakers' lines have one"
                if self.by_time
                else "the name starts too few lines, or is a label such as 'Note'"
            )
            self.builder.warn(f"read as part of the message before, not as a new speaker ({why}): {shown}{more}")
        return self.builder.build()

    def _timestamps(self, messages: list[_Message], days: dict[int, date]) -> list[datetime]:
        stamped = [m for m in messages if m.stamp is not None]
        if not stamped:
            self.builder.warn(NO_TIMES_WARNING)
            start = datetime.combine(PLACEHOLDER_DATE, time())
            return [start + timedelta(seconds=i) for i in range(len(messages))]
        dated = [(m.line, m.stamp.day) for m in stamped if m.stamp is not None and m.stamp.day is not None]
        first_dated = min([*dated, *days.items()], default=None)
        if first_dated is None:
            current = PLACEHOLDER_DATE
            self.builder.warn(NO_DATES_WARNING)
        else:
            first_line, current = first_dated
            if stamped[0].line < first_line:
                self.builder.warn(
                    f"the times before line {first_line} have no date; they were given "
                    f"{current.isoformat()}, the first date in the file"
                )
        first = stamped[0].stamp
        assert first is not None
        first_time = datetime.combine(first.day or current, first.clock)
        result: list[datetime] = []
        last: datetime | None = None
        new_days: list[int] = []
        backwards: list[int] = []
        untimed: list[int] = []
        separators = sorted(days)
        for message in messages:
            while separators and separators[0] < message.line:
                current = days[separators.pop(0)]
            stamp = message.stamp
            if stamp is None:
                untimed.append(message.line)
                moment = last if last is not None else first_time
            elif stamp.day is not None:
                current = stamp.day
                moment = datetime.combine(current, stamp.clock)
            else:
                moment = datetime.combine(current, stamp.clock)
                if last is not None and moment < last - NEW_DAY_AFTER:
                    current = max(current, last.date()) + timedelta(days=1)
                    moment = datetime.combine(current, stamp.clock)
                    new_days.append(message.line)
            if last is not None and moment < last:
                backwards.append(message.line)
            result.append(moment)
            last = moment
        self._time_warnings(new_days, backwards, untimed)
        return result

    def _time_warnings(self, new_days: list[int], backwards: list[int], untimed: list[int]) -> None:
        if new_days:
            self.builder.warn(
                f"times without a date went back by more than an hour {len(new_days)} time(s); a new day was "
                f"assumed each time (first at line {new_days[0]})"
            )
        if backwards:
            self.builder.warn(
                f"times go backwards at {len(backwards)} place(s), first at line {backwards[0]}; "
                "messages are kept in file order"
            )
        if untimed:
            self.builder.warn(
                f"{len(untimed)} turn(s) have no time of their own and were given the time of the turn "
                f"before (first at line {untimed[0]})"
            )


IMPORTER = TranscriptImporter()
