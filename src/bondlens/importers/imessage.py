"""iMessage: text files written by imessage-exporter (``-f txt``), and Apple's Messages database ``chat.db``.

Sources the formats were learned from (facts only; the code and fixtures here are our own):

- ReagentX/imessage-exporter, ``imessage-exporter/src/exporters/txt.rs`` and its tests: one file per chat; each
  message is a time line ``May 17, 2022  5:29:42 PM`` (chrono ``%b %d, %Y %l:%M:%S %p``, so hours below 10
  are padded with a space) with an optional `` (Read by you after 1 hour, 49 seconds)`` or ``(Read by them
  ...)``, then the sender ("Me", a contact name or a handle), then the body, then a blank line. In the body:
  attachment paths, ``Sticker from X: path``, ``Tapbacks:`` (older: ``Reactions:``) followed by ``Loved by X``
  lines, ``This message was deleted from the conversation!``, ``This message responded to an earlier
  message.``, ``Sent with Confetti``-style effects, edit histories (``<time> first text`` then ``Edited 30
  seconds later: new text``), ``You unsent this message part 1 minute after sending!``; replies are also
  printed indented by four spaces under the message they answer (and again on their own). Group events are
  one line: ``<time> You renamed the conversation to X``.
- imessage-exporter's ``imessage-database`` crate (``tables/messages.rs``, ``util/dates.rs``,
  ``util/streamtyped.rs``, ``message_types/edited.rs``, ``message_types/variants.rs``): the ``message``,
  ``handle``, ``chat``, ``chat_message_join``, ``chat_handle_join``, ``attachment``,
  ``message_attachment_join`` and ``chat_recoverable_message_join`` tables; ``date`` counts from 2001-01-01
  UTC, in nanoseconds since macOS 10.13 and in seconds before; tapbacks are rows with
  ``associated_message_type`` 2000-2007 (3000-3007 remove one); ``item_type``/``group_action_type`` are group
  events; when ``text`` is NULL the text is in ``attributedBody``, an NSAttributedString archived as a
  "typedstream"; ``message_summary_info`` (a binary plist) holds edit history (``ec``) and unsent parts
  (``rp``).

Decisions (what a user sees):

- TXT: times are naive (the wall clock of the Mac that ran the exporter; the file has no zone). The owner is
  "Me" (or the ``--custom-name`` the exporter was given, recognised from "(Read by NAME after ...)" and from
  "(Read by them ...)" on the owner's own messages) and becomes participant ``me``. Everyone else is a
  participant named as in the file. ``--chat`` is not needed: imessage-exporter writes one file per chat.
- chat.db: opened read-only and "immutable" (nothing is written next to the file, no -wal/-shm files appear).
  If a ``chat.db-wal`` file sits beside it (a copy taken while Messages ran), the database and its WAL are
  copied to a private temporary folder and read there, so the newest messages are not lost; the user's files
  are never touched. Times are aware UTC. One conversation is read: chats with the same identifier (the same
  number over iMessage and SMS) are one conversation; with several and no ``--chat`` the error lists them.
  ``--chat`` takes the chat's name, its identifier, or the other person's number or e-mail address.
  Messages in "Recently Deleted" (``chat_recoverable_message_join``) are kept, and counted in a warning.
- Text held only in ``attributedBody`` is recovered by a small hand-written typedstream reader: it finds the
  archived NSString and reads its length-prefixed UTF-8 bytes (the length encodings 1-byte, 0x81 + 2 bytes,
  0x82 + 4 bytes). A body it cannot read leaves the message text empty and is counted in a warning.
- Tapbacks, group events, unsent messages and location/FaceTime notices are kept as system lines
  (``is_system=True``) from the person who did them, worded as Apple words its SMS fallback text
  ('Loved “See you at 8”'). In TXT the tapback's own time is not written, so it takes its message's time.
- Edited messages show their final text; a system line right after keeps the earlier versions
  ('Edited; earlier version: “...”'), because what was first said can matter.
- Attachments are noted with kind (from the MIME type or extension) and file name, never read. Replies are
  kept once, where they were sent; the indented copies under the original are skipped.
"""

from __future__ import annotations

import plistlib
import re
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from bondlens.errors import BondlensError, ImportFormatError
from bondlens.importers.base import ConversationBuilder, ImportOptions, Sample, check_file, source_file
from bondlens.importers.sms_xml import addresses_match, attachment_kind, guess_mime
from bondlens.importers.textio import iter_text_lines
from bondlens.model import Attachment, AttachmentKind, Conversation

ME = "me"
SQLITE_MAGIC = b"SQLite format 3\x00"
APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
EXCERPT_CHARS = 60

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, start=1)}
_STAMP = (
    r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?P<day>\d{1,2}), (?P<year>\d{4}) {1,2}"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2}) (?P<ampm>AM|PM)"
)
_HEADER = re.compile(rf"{_STAMP}(?: \(Read by (?P<reader>.+?) after (?P<after>[^()]*)\))?")
_STAMPED = re.compile(rf"{_STAMP} (?P<rest>.+)")
_ANNOUNCEMENT = re.compile(
    r"(?P<who>.+?) (?P<what>renamed the conversation to .*|added .+ to the conversation\.|"
    r"removed .+ from the conversation\.|left the conversation\.|changed the group photo\.|"
    r"removed the group photo\.|kept an audio message\.|unsent a message!|performed unknown action .*)"
)
_EDITED = re.compile(r"Edited (?P<after>.+?) later: (?P<text>.*)")
_UNSENT = re.compile(r"(?P<who>.+?) unsent this message part(?: (?P<after>.+) after sending)?!")
_EXPRESSIVE = re.compile(
    r"Sent with (?:Confetti|Echo|Fireworks|Balloons|Heart|Lasers|Shooting Star|Shooting Start|Sparkles|"
    r"Spotlight|Slam|Loud|Gentle|Invisible Ink|Love|Celebration)"
)
_TAPBACK = re.compile(r"(?P<what>.+?) by (?P<who>.+)")
_STICKER = re.compile(r"(?:(?P<effect>\w+) )?Sticker from (?P<who>.+?)(?:: (?P<path>.+?))?(?: not found!)?")
_PATH_START = re.compile(r"(?:~?/|\.{1,2}/|[A-Za-z]:[\\/]|attachments/)")
_ATTACHMENT_DIR = re.compile(r"(?:^|[/\\])(?:Attachments|attachments|StickerCache)[/\\]")
_APP_ERROR = "Unable to format app message"
_DELETED_MARK = "This message was deleted from the conversation!"
_REPLY_MARK = "This message responded to an earlier message."
_MISSING_ATTACHMENT = ("Attachment missing!", "Attachment missing name metadata!")
_NOTICES = frozenset(
    {"Started sharing location!", "Stopped sharing location!", "Shared location!", "SharePlay Message", "Ended"}
)
_TAPBACK_WORDS = {
    "Loved": "Loved",
    "Liked": "Liked",
    "Disliked": "Disliked",
    "Laughed": "Laughed at",
    "Emphasized": "Emphasized",
    "Questioned": "Questioned",
}
_KIND_BY_EXTENSION: dict[str, AttachmentKind] = {
    **dict.fromkeys(("heic", "heif", "jpg", "jpeg", "png", "webp", "tif", "tiff", "bmp"), "image"),
    "gif": "gif",
    **dict.fromkeys(("mov", "mp4", "m4v", "3gp", "avi"), "video"),
    "caf": "voice",
    "amr": "voice",
    **dict.fromkeys(("m4a", "mp3", "wav", "aac", "aiff", "opus"), "audio"),
    "vcf": "contact",
    **dict.fromkeys(
        ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "pages", "numbers", "key", "txt", "rtf", "pkpass"),
        "document",
    ),
}
_EXTENSIONS = frozenset(_KIND_BY_EXTENSION) | {"zip", "html", "ics", "usdz", "json", "csv"}


# ======================================================================================================
# shared helpers
# ======================================================================================================


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _kind_for_name(name: str) -> AttachmentKind:
    lower = name.lower()
    if lower.endswith(".loc.vcf"):
        return "location"
    if "stickercache" in lower:
        return "sticker"
    ext = lower.rsplit(".", 1)[-1] if "." in lower else ""
    if ext in _KIND_BY_EXTENSION:
        return _KIND_BY_EXTENSION[ext]
    return attachment_kind(guess_mime(lower) or "")


def _base_name(path: str) -> str:
    return re.split(r"[/\\]", path.rstrip("/\\"))[-1] or path


def _edit_note(versions: list[str]) -> str:
    earlier = [f"“{excerpt(v)}”" for v in versions[:-1]]
    return f"Edited; earlier version{'s' if len(earlier) != 1 else ''}: " + ", ".join(earlier)


# ======================================================================================================
# imessage-exporter TXT
# ======================================================================================================


@dataclass
class _Pending:
    """One message or system line before the senders are known for sure (the owner's label is learned)."""

    line: int
    timestamp: datetime
    sender: str | None  # a label as written in the file; resolved at the end
    text: str
    attachments: tuple[Attachment, ...] = ()
    is_system: bool = False


@dataclass
class _Block:
    """The lines of one top-level message: its time line, the sender line and the body."""

    line: int
    timestamp: datetime
    reader: str | None
    lines: list[tuple[int, str]] = field(default_factory=list)


def _stamp(match: re.Match[str], path: Path, line: int) -> datetime:
    hour = int(match["hour"])
    if not 1 <= hour <= 12:
        raise ImportFormatError(path, f"has an impossible hour {hour} in a message time", line)
    hour = hour % 12 + (12 if match["ampm"] == "PM" else 0)
    try:
        return datetime(
            int(match["year"]), _MONTHS[match["mon"]], int(match["day"]), hour, int(match["minute"]),
            int(match["second"]),
        )  # fmt: skip
    except ValueError as exc:
        raise ImportFormatError(path, f"has an impossible message time ({exc})", line) from None


class _TxtReader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.pending: list[_Pending] = []
        self.owner_labels: set[str] = {"Me"}
        self.deleted = 0
        self.nested_replies = 0

    # --- the file, split into blocks ---------------------------------------------------------------------

    def read(self, stream: BinaryIO, total: int, options: ImportOptions) -> None:
        block: _Block | None = None
        previous_blank = True
        for line_no, raw in iter_text_lines(stream, str(self.path), total=total, progress=options.progress):
            line = raw.rstrip()
            if previous_blank and (header := _HEADER.fullmatch(line)):
                if block is not None:
                    self._message(block)
                block = _Block(line_no, _stamp(header, self.path, line_no), header["reader"])
            elif (
                previous_blank
                and (stamped := _STAMPED.fullmatch(line))
                and (announcement := _ANNOUNCEMENT.fullmatch(stamped["rest"]))
            ):
                if block is not None:
                    self._message(block)
                    block = None
                self._announcement(line_no, _stamp(stamped, self.path, line_no), announcement)
            elif block is not None:
                block.lines.append((line_no, raw))
            elif line:
                raise ImportFormatError(
                    self.path,
                    "is not an imessage-exporter text export: a message should start with its time, "
                    "like 'Mar 12, 2026  9:15:07 PM'",
                    line_no,
                )
            previous_blank = not line
        if block is not None:
            self._message(block)

    def _announcement(self, line: int, timestamp: datetime, match: re.Match[str]) -> None:
        who = match["who"]
        if who == "You":
            who = "Me"
        self.pending.append(_Pending(line, timestamp, who, f"{match['who']} {match['what']}", is_system=True))

    # --- one message ---------------------------------------------------------------------------------------

    def _message(self, block: _Block) -> None:
        lines = block.lines
        if not lines or not lines[0][1].strip():
            raise ImportFormatError(
                self.path, "a message time is not followed by the sender's name; the file may be cut short",
                block.line,
            )  # fmt: skip
        sender = lines[0][1].strip()
        if block.reader is not None:
            if block.reader == "them":
                self.owner_labels.add(sender)
            elif block.reader != "you":
                self.owner_labels.add(block.reader)  # the exporter's --custom-name for the owner

        text_lines: list[str] = []
        attachments: list[Attachment] = []
        after: list[_Pending] = []  # system lines that follow the message
        part_start = 0  # where the current text part begins in text_lines (a tapback refers to that part)
        last_was_attachment = False
        mode = "body"
        edit_versions: list[list[str]] = []
        unsent = 0
        deleted = False
        body = lines[1:]
        for index, (line_no, raw) in enumerate(body):
            line = raw.rstrip()
            if mode in ("nested", "nested_gap"):
                if not line:
                    mode = "nested_gap"
                    continue
                if raw.startswith("    ") or mode == "nested":
                    mode = "nested"
                    continue
                mode = "body"
            elif mode == "tapbacks":
                if not line:
                    mode = "body"
                    part_start, last_was_attachment = len(text_lines), False
                else:
                    target = None if last_was_attachment else "\n".join(text_lines[part_start:]).strip()
                    after.append(self._tapback(line_no, block.timestamp, line.strip(), target))
                continue
            elif mode == "edit":
                if not line:
                    mode = "body"
                    part_start, last_was_attachment = len(text_lines), False
                    self._finish_edit(edit_versions, text_lines, after, line_no, block.timestamp, sender)
                    edit_versions = []
                elif edited := _EDITED.fullmatch(line):
                    edit_versions.append([edited["text"]])
                else:
                    edit_versions[-1].append(raw)
                continue

            if raw.startswith("    ") and _HEADER.fullmatch(line[4:]):
                mode = "nested"
                self.nested_replies += 1
                part_start, last_was_attachment = len(text_lines), False
                continue
            if line in ("Tapbacks:", "Reactions:"):
                mode = "tapbacks"
                continue
            if line == _DELETED_MARK:
                deleted = True
                continue
            if line == _REPLY_MARK or _EXPRESSIVE.fullmatch(line):
                continue
            stamped = _STAMPED.fullmatch(line)
            if (
                stamped is not None
                and index + 1 < len(body)
                and _EDITED.fullmatch(body[index + 1][1].rstrip()) is not None
            ):
                mode = "edit"
                edit_versions = [[stamped["rest"]]]
                continue
            if _UNSENT.fullmatch(line):
                unsent += 1
                after.append(_Pending(line_no, block.timestamp, sender, line, is_system=True))
                continue
            attachment = self._attachment(line)
            if attachment is not None:
                attachments.append(attachment)
                part_start, last_was_attachment = len(text_lines), True
                continue
            if last_was_attachment:
                part_start, last_was_attachment = len(text_lines), False
            text_lines.append(raw)
        if mode == "edit" and edit_versions:
            self._finish_edit(edit_versions, text_lines, after, block.line, block.timestamp, sender)

        while text_lines and not text_lines[-1].strip():
            text_lines.pop()
        while text_lines and not text_lines[0].strip():
            text_lines.pop(0)
        text = "\n".join(text_lines)
        if deleted:
            self.deleted += 1
        if not text and not attachments and unsent:
            # the whole message was unsent: its notice stands in its place
            self.pending.extend(after)
            return
        is_notice = bool(text) and not attachments and all(t.strip() in _NOTICES for t in text_lines if t.strip())
        self.pending.append(
            _Pending(block.line, block.timestamp, sender, text, tuple(attachments), is_system=is_notice)
        )
        self.pending.extend(after)

    def _finish_edit(
        self,
        versions: list[list[str]],
        text_lines: list[str],
        after: list[_Pending],
        line_no: int,
        timestamp: datetime,
        sender: str,
    ) -> None:
        texts = ["\n".join(v).rstrip() for v in versions]
        text_lines.append(texts[-1])
        if len(texts) > 1:
            after.append(_Pending(line_no, timestamp, sender, _edit_note(texts), is_system=True))

    def _tapback(self, line_no: int, timestamp: datetime, line: str, target: str | None) -> _Pending:
        about = f"“{excerpt(target)}”" if target else "an attachment" if target is None else "a message"
        if sticker := _STICKER.fullmatch(line):
            name = _base_name(sticker["path"].split(" (")[0]) if sticker["path"] else None
            return _Pending(
                line_no, timestamp, sticker["who"], f"Put a sticker on {about}",
                (Attachment("sticker", name),), is_system=True,
            )  # fmt: skip
        tapback = _TAPBACK.fullmatch(line)
        if tapback is None:
            return _Pending(line_no, timestamp, None, f"Reaction: {line}", is_system=True)
        what = tapback["what"]
        verb = _TAPBACK_WORDS.get(what, f"Reacted {what} to")
        return _Pending(line_no, timestamp, tapback["who"], f"{verb} {about}", is_system=True)

    @staticmethod
    def _attachment(line: str) -> Attachment | None:
        stripped = line.strip()
        if stripped in _MISSING_ATTACHMENT:
            return Attachment("other", None)
        if stripped.startswith(_APP_ERROR):
            return Attachment("other", None)
        sticker = _STICKER.fullmatch(stripped)
        if sticker is not None and (sticker["path"] is not None or stripped.endswith("not found!")):
            path = (sticker["path"] or "").split(" (")[0]
            return Attachment("sticker", _base_name(path) if path else None)
        if "://" in stripped or "\n" in stripped:
            return None
        ext = stripped.rsplit(".", 1)[-1].lower() if "." in stripped else ""
        path_like = _PATH_START.match(stripped) is not None or _ATTACHMENT_DIR.search(stripped) is not None
        if path_like and (ext in _EXTENSIONS or _ATTACHMENT_DIR.search(stripped)):
            name = _base_name(stripped)
            return Attachment(_kind_for_name(stripped), name, guess_mime(name))
        if stripped == "Audio Message.caf":
            return Attachment("voice", stripped, "audio/x-caf")
        return None

    # --- the conversation ---------------------------------------------------------------------------------

    def build(self, options: ImportOptions) -> Conversation:
        builder = ConversationBuilder(
            IMPORTER.name, source_file(self.path), naive_timestamps=True, title=self.path.stem or None
        )
        labels: list[str] = []
        for item in self.pending:
            if item.sender is not None and item.sender not in labels and item.sender not in self.owner_labels:
                labels.append(item.sender)
        if any(item.sender in self.owner_labels for item in self.pending):
            builder.participant(ME, "Me")
        for label in labels:
            handle = label if re.fullmatch(r"\+?[\d\s().-]{5,}|[^@\s]+@[^@\s]+", label) else None
            builder.participant(label, label, handle)
        for item in self.pending:
            sender = ME if item.sender in self.owner_labels else item.sender
            builder.add(
                item.timestamp, sender, item.text, item.attachments, is_system=item.is_system, source_line=item.line
            )
        if self.deleted:
            builder.warn(
                f"{self.deleted} message{'s are' if self.deleted != 1 else ' is'} marked 'deleted from the "
                "conversation' (recently deleted on the device); kept"
            )
        custom = sorted(self.owner_labels - {"Me"})
        if custom:
            builder.warn(f"messages from {', '.join(custom)} were taken as your own (the exporter's name for you)")
        return builder.build()


# ======================================================================================================
# chat.db
# ======================================================================================================


def typedstream_text(blob: bytes | None) -> str | None:
    """The string archived in an ``attributedBody`` typedstream, or None when none can be read.

    A careful minimal reader (hand-written, not a full typedstream decoder): it finds the NSString's type
    marker (0x84 0x01 '+') after the class name, reads the length in typedstream's integer encoding (one byte
    below 0x80; 0x81 then 2 bytes little-endian; 0x82 then 4 bytes) and decodes that many bytes as UTF-8.
    """
    if not blob:
        return None
    data = bytes(blob)
    start = data.find(b"NSString")
    marker = data.find(b"\x84\x01+", max(start, 0))
    if marker < 0:
        marker = data.find(b"\x01+", max(start, 0))
        if marker < 0:
            return None
        pos = marker + 2
    else:
        pos = marker + 3
    if pos >= len(data):
        return None
    first = data[pos]
    if first == 0x81:
        size, pos = int.from_bytes(data[pos + 1 : pos + 3], "little", signed=True), pos + 3
    elif first == 0x82:
        size, pos = int.from_bytes(data[pos + 1 : pos + 5], "little", signed=True), pos + 5
    elif first < 0x80:
        size, pos = first, pos + 1
    else:
        return None
    raw = data[pos : pos + size]
    if size < 0 or len(raw) != size:
        return None
    return raw.decode("utf-8", errors="replace")


def apple_time(value: Any) -> datetime:
    """A ``date`` column: time since 2001-01-01 UTC, nanoseconds (macOS 10.13+) or seconds (older)."""
    if value is None or isinstance(value, bool):
        raise ValueError("no date")
    number = int(value) if isinstance(value, int) else int(float(value))
    if abs(number) >= 10**11:
        return APPLE_EPOCH + timedelta(microseconds=number // 1000)
    return APPLE_EPOCH + timedelta(seconds=number)


_MESSAGE_COLUMNS = (
    "guid",
    "text",
    "attributedBody",
    "handle_id",
    "date",
    "is_from_me",
    "cache_has_attachments",
    "associated_message_type",
    "associated_message_guid",
    "associated_message_emoji",
    "item_type",
    "group_action_type",
    "group_title",
    "other_handle",
    "share_status",
    "balloon_bundle_id",
    "date_edited",
    "date_retracted",
    "message_summary_info",
    "is_audio_message",
)
_URL_BALLOON = "com.apple.messages.URLBalloonProvider"
_REACTION_VERBS = {0: "Loved", 1: "Liked", 2: "Disliked", 3: "Laughed at", 4: "Emphasized", 5: "Questioned"}
_REMOVED_NAMES = {0: "a heart", 1: "a like", 2: "a dislike", 3: "a laugh", 4: "an exclamation", 5: "a question mark"}


@dataclass
class _DbChat:
    ids: list[int]
    identifier: str
    display_name: str
    members: list[str]
    is_group: bool
    services: set[str]
    count: int

    def label(self) -> str:
        n = f"{self.count} message{'s' if self.count != 1 else ''}"
        if self.is_group:
            name = self.display_name or ", ".join(self.members) or self.identifier
            return f"group '{name}' ({n})"
        service = "/".join(sorted(s for s in self.services if s))
        return f"{self.identifier} ({service + ', ' if service else ''}{n})"

    @property
    def title(self) -> str:
        return self.display_name or (", ".join(self.members) if self.is_group else self.identifier)


class _Db:
    """A read-only view of a chat.db, with clear errors for what is not one."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self.tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"message", "handle"} <= self.tables:
            raise ImportFormatError(
                path,
                "is an SQLite database but not an iMessage chat.db (it has no message and handle tables); "
                "give ~/Library/Messages/chat.db or a copy of it",
            )
        self.message_columns = self.columns("message")
        missing = {"text", "handle_id", "date", "is_from_me"} - self.message_columns
        if missing:
            raise ImportFormatError(
                path,
                f"is not an iMessage chat.db bondlens can read (its message table lacks {', '.join(sorted(missing))})",
            )
        if not {"chat", "chat_message_join"} <= self.tables:
            raise ImportFormatError(path, "is an incomplete iMessage database (no chat or chat_message_join table)")

    def columns(self, table: str) -> set[str]:
        if table not in self.tables:
            return set()
        return {str(r[1]) for r in self.conn.execute(f'PRAGMA table_info("{table}")')}

    def handles(self) -> dict[int, str]:
        return {int(r[0]): str(r[1]) for r in self.conn.execute("SELECT ROWID, id FROM handle") if r[1] is not None}

    def chats(self) -> list[_DbChat]:
        cols = self.columns("chat")

        def col(name: str) -> str:
            return f"c.{name}" if name in cols else "NULL"

        rows = self.conn.execute(
            f"SELECT c.ROWID, {col('chat_identifier')}, {col('display_name')}, {col('style')}, "
            f"{col('service_name')}, {col('guid')} FROM chat c ORDER BY c.ROWID"
        ).fetchall()
        counts = dict(self.conn.execute("SELECT chat_id, COUNT(*) FROM chat_message_join GROUP BY chat_id").fetchall())
        members: dict[int, list[str]] = {}
        if "chat_handle_join" in self.tables:
            for chat_id, handle in self.conn.execute(
                "SELECT j.chat_id, h.id FROM chat_handle_join j JOIN handle h ON h.ROWID = j.handle_id "
                "ORDER BY j.chat_id, h.ROWID"
            ):
                if handle is not None and str(handle) not in members.setdefault(int(chat_id), []):
                    members[int(chat_id)].append(str(handle))
        merged: list[_DbChat] = []
        for rowid, identifier, display_name, style, service, guid in rows:
            chat_members = members.get(int(rowid), [])
            is_group = style == 43 or len(chat_members) > 1
            ident = str(identifier or (chat_members[0] if chat_members else "") or guid or f"chat {rowid}")
            count = int(counts.get(rowid, 0))
            same = next(
                (m for m in merged if not is_group and not m.is_group and addresses_match(m.identifier, ident)),
                None,
            )
            if same is not None:
                same.ids.append(int(rowid))
                same.count += count
                same.services.add(str(service or ""))
                same.display_name = same.display_name or str(display_name or "")
                continue
            merged.append(
                _DbChat(
                    [int(rowid)], ident, str(display_name or ""), chat_members or ([ident] if not is_group else []),
                    is_group, {str(service or "")}, count,
                )
            )  # fmt: skip
        return [c for c in merged if c.count > 0]


def _connect(path: Path, workdir: Path | None) -> sqlite3.Connection:
    if workdir is not None:
        copy = workdir / "chat.db"
        shutil.copyfile(path, copy)
        shutil.copyfile(path.with_name(path.name + "-wal"), workdir / "chat.db-wal")
        conn = sqlite3.connect(str(copy))
    else:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)
    conn.execute("PRAGMA query_only = ON")
    return conn


def _sniff_db(path: Path) -> float:
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)
        try:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except Exception:
        return 0.0
    return 0.95 if {"message", "handle"} <= names else 0.0


def _chat_matches(chat: _DbChat, wanted: str) -> bool:
    wanted = wanted.strip()
    folded = wanted.casefold()
    if folded in (chat.display_name.casefold(), chat.identifier.casefold()) and folded:
        return True
    if not chat.is_group:
        return any(addresses_match(m, wanted) for m in [chat.identifier, *chat.members])
    tokens = [t.strip() for t in re.split(r"[,~;]", wanted) if t.strip()]
    if len(tokens) != len(chat.members) or len(tokens) < 2:
        return False
    remaining = list(chat.members)
    for token in tokens:
        hit = next((m for m in remaining if addresses_match(m, token)), None)
        if hit is None:
            return False
        remaining.remove(hit)
    return True


def _listing(chats: list[_DbChat], limit: int = 15) -> str:
    ordered = sorted(chats, key=lambda c: (-c.count, c.title))
    text = "; ".join(c.label() for c in ordered[:limit])
    return text + (f"; and {len(ordered) - limit} more" if len(ordered) > limit else "")


def _choose(path: Path, chats: list[_DbChat], wanted: str | None) -> _DbChat:
    if not chats:
        raise ImportFormatError(path, "holds no conversations with messages")
    if wanted is None or not wanted.strip():
        if len(chats) == 1:
            return chats[0]
        raise ImportFormatError(
            path,
            f"holds {len(chats)} conversations; choose one with --chat (a name, number or e-mail address): "
            f"{_listing(chats)}",
        )
    exact = [c for c in chats if wanted.strip().casefold() in (c.display_name.casefold(), c.identifier.casefold())]
    matches = exact or [c for c in chats if _chat_matches(c, wanted)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ImportFormatError(path, f"has no conversation matching --chat {wanted!r}; it holds: {_listing(chats)}")
    raise ImportFormatError(
        path, f"--chat {wanted!r} matches {len(matches)} conversations; be more precise: {_listing(matches)}"
    )


class _DbReader:
    def __init__(self, path: Path, db: _Db, options: ImportOptions, total: int) -> None:
        self.path = path
        self.db = db
        self.options = options
        self.total = total
        self.counts: Counter[str] = Counter()
        self.excerpts: dict[str, str] = {}  # message guid -> a short quote, for tapbacks

    def read(self) -> Conversation:
        chat = _choose(self.path, self.db.chats(), self.options.chat)
        handles = self.db.handles()
        qmarks = ",".join("?" * len(chat.ids))
        ids_sql = f"SELECT message_id FROM chat_message_join WHERE chat_id IN ({qmarks})"
        params: list[int] = list(chat.ids)
        deleted: set[int] = set()
        if "chat_recoverable_message_join" in self.db.tables:
            recoverable = f"SELECT message_id FROM chat_recoverable_message_join WHERE chat_id IN ({qmarks})"
            deleted = {int(r[0]) for r in self.db.conn.execute(recoverable, chat.ids)}
            ids_sql = f"{ids_sql} UNION {recoverable}"
            params += chat.ids
        attachments = self._attachments(ids_sql, params)
        cols = self.db.message_columns
        select = ", ".join(f"m.{c}" if c in cols else f"NULL AS {c}" for c in _MESSAGE_COLUMNS)
        total_rows = self.db.conn.execute(f"SELECT COUNT(*) FROM ({ids_sql})", params).fetchone()[0] or 1

        builder = ConversationBuilder(IMPORTER.name, source_file(self.path), naive_timestamps=False, title=chat.title)
        if chat.is_group:
            for member in chat.members:
                builder.participant(member, member, member)
        else:
            builder.participant(chat.members[0], chat.members[0], chat.members[0])
        cursor = self.db.conn.execute(
            f"SELECT m.ROWID, {select} FROM message m WHERE m.ROWID IN ({ids_sql}) ORDER BY m.date, m.ROWID",
            params,
        )
        cursor.row_factory = sqlite3.Row
        done = 0
        while rows := cursor.fetchmany(500):
            for row in rows:
                self._row(builder, row, chat, handles, attachments.get(int(row["ROWID"]), ()), deleted)
            done += len(rows)
            self.options.report(min(self.total, self.total * done // total_rows), self.total)
        self._warnings(builder)
        return builder.build()

    def _attachments(self, ids_sql: str, params: list[int]) -> dict[int, tuple[Attachment, ...]]:
        if not {"attachment", "message_attachment_join"} <= self.db.tables:
            return {}
        cols = self.db.columns("attachment")
        wanted = ("filename", "mime_type", "transfer_name", "uti", "is_sticker")
        select = ", ".join(f"a.{c}" if c in cols else f"NULL AS {c}" for c in wanted)
        found: dict[int, list[Attachment]] = {}
        for message_id, filename, mime, transfer, uti, sticker in self.db.conn.execute(
            f"SELECT j.message_id, {select} FROM message_attachment_join j JOIN attachment a "
            f"ON a.ROWID = j.attachment_id WHERE j.message_id IN ({ids_sql}) ORDER BY j.message_id, a.ROWID",
            params,
        ):
            name = str(transfer or "") or (_base_name(str(filename)) if filename else "") or None
            mime_type = str(mime) if mime else (guess_mime(name) if name else None)
            if sticker:
                kind: AttachmentKind = "sticker"
            elif str(uti or "") == "com.apple.coreaudio-format" or (name or "").lower().endswith(".caf"):
                kind = "voice"
            elif (name or "").lower().endswith(".loc.vcf") or str(uti or "") == "public.vlocation":
                kind = "location"
            elif mime_type:
                kind = attachment_kind(mime_type, name)
            else:
                kind = _kind_for_name(name or "")
            found.setdefault(int(message_id), []).append(Attachment(kind, name, mime_type))
        return {k: tuple(v) for k, v in found.items()}

    def _sender(self, row: sqlite3.Row, chat: _DbChat, handles: dict[int, str], builder: ConversationBuilder) -> str:
        if row["is_from_me"]:
            builder.participant(ME, "Me")
            return ME
        handle = handles.get(int(row["handle_id"] or 0))
        if not chat.is_group and (handle is None or any(addresses_match(handle, m) for m in chat.members)):
            return chat.members[0]
        if handle is None:
            builder.participant("unknown", "Unknown sender")
            return "unknown"
        builder.participant(handle, handle, handle)
        return handle

    def _text(self, row: sqlite3.Row) -> tuple[str, bool]:
        """The message text, and whether an attributedBody was there but could not be decoded."""
        undecodable = False
        text = row["text"]
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        if text is None and row["attributedBody"] is not None:
            text = typedstream_text(row["attributedBody"])
            undecodable = text is None
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        if "\ufffc" in text or "\ufffd" in text:
            text = text.replace("\ufffc", "").replace("\ufffd", "").strip()
        return text, undecodable

    def _row(
        self,
        builder: ConversationBuilder,
        row: sqlite3.Row,
        chat: _DbChat,
        handles: dict[int, str],
        attachments: tuple[Attachment, ...],
        deleted: set[int],
    ) -> None:
        rowid = int(row["ROWID"])
        try:
            timestamp = apple_time(row["date"])
        except (ValueError, TypeError, OverflowError):
            raise ImportFormatError(
                self.path, f"message ROWID {rowid} has an unreadable date {row['date']!r}; the database may be damaged"
            ) from None
        sender = self._sender(row, chat, handles, builder)
        who = "You" if sender == ME else sender
        text, undecodable = self._text(row)
        if rowid in deleted:
            self.counts["deleted"] += 1
        kind = int(row["associated_message_type"] or 0)
        if kind in (1000, 2007, 3007) or 2000 <= kind <= 2006 or 3000 <= kind <= 3006:
            self.counts["tapbacks"] += 1
            builder.add(
                timestamp, sender, text or self._reaction_text(row, kind), attachments if kind != 3007 else (),
                is_system=True, source_record=rowid,
            )  # fmt: skip
            return
        item_type = int(row["item_type"] or 0)
        if item_type != 0:
            builder.add(
                timestamp, sender, f"{who} {self._event(row, item_type, handles)}", is_system=True,
                source_record=rowid,
            )  # fmt: skip
            return
        summary = self._summary(row["message_summary_info"])
        versions = [v for v in (typedstream_text(e) for e in summary.get("versions", [])) if v is not None]
        if not text and versions:
            text = versions[-1]
        bundle = str(row["balloon_bundle_id"] or "")
        if bundle and bundle != _URL_BALLOON and not text and not attachments:
            app = bundle.rsplit(":", 1)[-1]
            attachments = (Attachment("other", app),)
        unsent = not text and not attachments and (bool(row["date_retracted"]) or summary.get("retracted", False))
        if unsent:
            builder.add(timestamp, sender, f"{who} unsent a message", is_system=True, source_record=rowid)
            return
        if text and row["guid"]:
            self.excerpts[str(row["guid"])] = excerpt(text)
        elif attachments and row["guid"]:
            self.excerpts[str(row["guid"])] = ""
        if undecodable and not text:
            self.counts["undecodable"] += 1
        elif not text and not attachments:
            self.counts["empty"] += 1
        builder.add(timestamp, sender, text, attachments, source_record=rowid)
        if len(versions) > 1:
            self.counts["edited"] += 1
            builder.add(timestamp, sender, _edit_note(versions), is_system=True, source_record=rowid)

    def _reaction_text(self, row: sqlite3.Row, kind: int) -> str:
        target_guid = str(row["associated_message_guid"] or "")
        target_guid = target_guid.split("/", 1)[-1] if "/" in target_guid else target_guid.removeprefix("bp:")
        target = self.excerpts.get(target_guid)
        about = f"“{target}”" if target else "an attachment" if target == "" else "a message"
        emoji = str(row["associated_message_emoji"] or "")
        if kind in (1000, 2007):
            return f"Put a sticker on {about}"
        if kind == 3007:
            return f"Removed a sticker from {about}"
        if kind == 2006:
            return f"Reacted {emoji or 'with an emoji'} to {about}"
        if kind == 3006:
            return f"Removed {emoji or 'an emoji'} from {about}"
        if kind >= 3000:
            return f"Removed {_REMOVED_NAMES[kind - 3000]} from {about}"
        return f"{_REACTION_VERBS[kind - 2000]} {about}"

    @staticmethod
    def _event(row: sqlite3.Row, item_type: int, handles: dict[int, str]) -> str:
        action = int(row["group_action_type"] or 0)
        other = handles.get(int(row["other_handle"] or 0), "someone")
        if item_type == 1:
            return f"removed {other} from the conversation." if action == 1 else f"added {other} to the conversation."
        if item_type == 2:
            return f"renamed the conversation to {row['group_title'] or ''}".rstrip()
        if item_type == 3:
            return {1: "changed the group photo.", 2: "removed the group photo."}.get(action, "left the conversation.")
        if item_type == 4:
            return "stopped sharing location." if row["share_status"] else "started sharing location."
        if item_type == 5:
            return "kept an audio message."
        if item_type == 6:
            return "started a FaceTime or SharePlay call."
        return f"did something Messages records as event type {item_type}."

    def _summary(self, blob: Any) -> dict[str, Any]:
        """Edit history ("ec": the versions of part 0, oldest first) and unsent parts ("rp")."""
        if not blob:
            return {}
        try:
            info = plistlib.loads(bytes(blob))
        except Exception:  # a damaged plist: the message itself is still shown
            self.counts["summary"] += 1
            return {}
        if not isinstance(info, dict):
            return {}
        result: dict[str, Any] = {"retracted": bool(info.get("rp"))}
        edits = info.get("ec")
        if isinstance(edits, dict) and edits:
            first = edits.get("0", next(iter(edits.values())))
            if isinstance(first, list):
                result["versions"] = [
                    e.get("t") for e in first if isinstance(e, dict) and isinstance(e.get("t"), bytes)
                ]
        return result

    def _warnings(self, builder: ConversationBuilder) -> None:
        c = self.counts
        if c["deleted"]:
            builder.warn(
                f"{c['deleted']} message{'s were' if c['deleted'] != 1 else ' was'} in Recently Deleted on the "
                "device; kept"
            )
        if c["undecodable"]:
            builder.warn(
                f"the text of {c['undecodable']} message{'s' if c['undecodable'] != 1 else ''} could not be "
                "decoded from the database (attributedBody); shown as empty"
            )
        if c["summary"]:
            builder.warn(f"the edit history of {c['summary']} message{'s' if c['summary'] != 1 else ''} was unreadable")
        if c["empty"]:
            builder.warn(
                f"{c['empty']} message{'s have' if c['empty'] != 1 else ' has'} no text or attachment in the database"
            )


# ======================================================================================================
# the importer
# ======================================================================================================


class IMessageImporter:
    name = "imessage"
    title = "iMessage (imessage-exporter .txt, or the Messages database chat.db)"
    example = "Mar 12, 2026  9:15:07 PM (Read by you after 1 minute)\nJordan Reyes\nAre you coming home?"

    def sniff(self, sample: Sample) -> float:
        try:
            if sample.is_sqlite:
                return _sniff_db(sample.path)
            if sample.text is None:
                return 0.0
            return _sniff_txt(sample.text)
        except Exception:  # sniffing never raises
            return 0.0

    def read(self, path: Path, options: ImportOptions) -> Conversation:
        path = Path(path)
        total = check_file(path, options.max_bytes)
        try:
            with path.open("rb") as stream:
                head = stream.read(len(SQLITE_MAGIC))
                if head == SQLITE_MAGIC:
                    return self._read_db(path, options, total)
                stream.seek(0)
                reader = _TxtReader(path)
                reader.read(stream, total, options)
                return reader.build(options)
        except BondlensError:
            raise
        except OSError as exc:
            raise ImportFormatError(path, f"cannot be read ({exc.strerror or exc})") from None

    @staticmethod
    def _read_db(path: Path, options: ImportOptions, total: int) -> Conversation:
        wal = path.with_name(path.name + "-wal")
        use_copy = wal.is_file() and wal.stat().st_size > 0
        note: str | None = None
        with _workdir(use_copy) as workdir:
            try:
                try:
                    conn = _connect(path, workdir)
                    if workdir is not None:
                        note = "read together with its chat.db-wal file (through a private temporary copy)"
                except OSError:
                    if workdir is None:
                        raise
                    conn = _connect(path, None)  # no room for a copy: read the database file alone
                    note = (
                        "a chat.db-wal file sits beside the database but could not be copied, so the newest "
                        "messages kept in it may be missing; quit Messages and import again"
                    )
            except (sqlite3.Error, OSError) as exc:
                raise ImportFormatError(path, f"cannot be opened as a database ({exc})") from None
            try:
                db = _Db(path, conn)
                conversation = _DbReader(path, db, options, total).read()
            except BondlensError:
                raise
            except sqlite3.DatabaseError as exc:
                raise ImportFormatError(
                    path,
                    f"is a damaged or incomplete SQLite database ({exc}); copy chat.db again (with Messages "
                    "closed, or together with its chat.db-wal file)",
                ) from None
            except (sqlite3.Error, ValueError, TypeError, KeyError, OverflowError) as exc:
                raise ImportFormatError(path, f"could not be read as an iMessage database ({exc})") from None
            finally:
                conn.close()
        return _with_warning(conversation, note) if note else conversation


@contextmanager
def _workdir(needed: bool) -> Iterator[Path | None]:
    """A private temporary folder when the database must be copied (it has a -wal file), else None."""
    if not needed:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="bondlens-chatdb-") as folder:
        yield Path(folder)


def _with_warning(conversation: Conversation, text: str) -> Conversation:
    return Conversation(
        format=conversation.format,
        source=conversation.source,
        participants=conversation.participants,
        messages=conversation.messages,
        naive_timestamps=conversation.naive_timestamps,
        title=conversation.title,
        warnings=(*conversation.warnings, text),
    )


def _sniff_txt(text: str) -> float:
    lines = _first_lines(text)
    for i, line in enumerate(lines[:-1]):
        if not line.strip():
            continue
        header = _HEADER.fullmatch(line.rstrip())
        if header is None:
            stamped = _STAMPED.fullmatch(line.rstrip())
            if stamped and _ANNOUNCEMENT.fullmatch(stamped["rest"]):
                continue
            return 0.0
        sender = lines[i + 1].strip()
        return 0.9 if sender and not _HEADER.fullmatch(sender) else 0.0
    return 0.0


def _first_lines(text: str, limit: int = 40) -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        out.append(line.rstrip("\r"))
        if len(out) >= limit:
            break
    return out


IMPORTER = IMessageImporter()
