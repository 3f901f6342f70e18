"""Signal Desktop chats exported with signal-export (``sigexport``, github.com/carderne/signal-export).

Learned from signal-export's own source (sigexport/models.py ``Message.to_md``/``Message.dict``,
sigexport/create.py ``create_message``, sigexport/files.py ``copy_attachments``, sigexport/main.py, and the
markdown reader in sigexport/merge.py, including its history back to the 2022 "index.md" layout) and from
chat-miner's SignalParser. Our code and fixtures are our own.

signal-export writes one folder per chat with ``chat.md`` (``index.md`` before 2024), ``index.html`` and, with
``--json`` (the default since 2024), ``data.json``. Both ``chat.md`` and ``data.json`` are read here; the HTML
is not. Prefer ``data.json`` when you have it: it separates quotes, stickers and attachments exactly, while
the markdown can only be split back by its patterns.

chat.md, one message per "[date] Sender: body" line (continuation lines follow, a blank line ends it)::

    [2024-03-19 23:32:19] Ana Ruiz: body  \\n(- Me: 👍 -)![IMG.jpg](./media/IMG.jpg)  [doc.pdf](./media/doc.pdf)

* dates: "%Y-%m-%d %H:%M:%S" since 2024, "%Y-%m-%d, %H:%M" and "%Y-%m-%d %H:%M" before; local wall-clock time
  of the computer (``datetime.fromtimestamp``), so timestamps are naive. data.json's ``"date"`` is the same
  time in ISO format, with milliseconds.
* a reply starts with the quoted text: "Sender: " then a blank line, "> quoted" lines, a blank line, the body.
  The quote is someone else's earlier words, so it is left out of the reply's text.
* reactions "(- Name: emoji, ... -)" are left out (the model has no place for them and they are not messages).
* attachments, after the body: "![name](./media/file)" for images, "[name](./media/file)" for others,
  "(media not exported)"/"(attachment not exported)" when the file is missing; a sticker is
  "[emoji](../exported_stickers/...)" or "(( emoji ))". Each becomes an :class:`Attachment` (kind from the
  extension; a voice note is an audio file Signal gave no name, which signal-export saves as "..._None.aac").
  Only these exact shapes at the end of a message are taken, so links people typed stay in the text.
* "(This message was deleted)" (deleted for everyone) is kept as a system line from its sender.
* call lines written by signal-export ("Missed voice call", "Outgoing video call (accepted, 2m 5s)") and empty
  messages (Signal's notices: group changes, disappearing-message timer, safety-number changes; the exporter
  writes them without text) are kept as system lines.
* "Me" is the person who exported; "No-Sender" (signal-export's placeholder) becomes no sender.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from bondlens.errors import ImportFormatError
from bondlens.importers.base import ConversationBuilder, ImportOptions, Sample, check_file, source_file
from bondlens.importers.jsonio import (
    Where,
    attachment_kind,
    basename,
    opt_list,
    opt_str,
    parse_json_text,
    type_name,
)
from bondlens.importers.textio import decode_head, iter_text_lines
from bondlens.model import Attachment, AttachmentKind, Conversation

HINT = "is this a signal-export chat.md or data.json?"
NO_SENDER = "No-Sender"
DELETED = "(This message was deleted)"

HEADER = re.compile(
    r"^\[(?P<date>\d{4}-\d{2}-\d{2})(?P<comma>,?) (?P<time>\d{2}:\d{2})(?P<seconds>:\d{2})?\] "
    r"(?P<sender>.+?):(?: (?P<rest>.*))?$"
)
# One attachment or sticker link at the very end of a message (signal-export ends each with two spaces).
_TRAILING_FILE = re.compile(
    r"(?:(?P<bang>!?)\[(?P<name>[^\[\]\n]*)\]\((?P<path>(?:\./media/|\.\./exported_stickers/)(?:(?!\)  )[^\n])*)\)"
    r"|\((?P<missing>media|attachment) not exported\))  \Z"
)
_TRAILING_STICKER = re.compile(r"\n\(\( (?P<label>.*) \)\)\Z")
_TRAILING_REACTIONS = re.compile(r"\n\(- .* -\)\Z")
_CALL = re.compile(r"^(?:(?:Incoming|Outgoing) (?:\w+ )?call(?: \([^()\n]*\))?|Missed (?:\w+ )?call)$")
_JSON_HEAD = re.compile(r'^\{\s*"(?:name|date)"\s*:')


class SignalImporter:
    name = "signal"
    title = "Signal Desktop via signal-export (chat.md or data.json)"
    example = "[2024-03-19 23:32:19] Robin Vale: you didn't answer my call  "

    def sniff(self, sample: Sample) -> float:
        text = sample.text
        if not text:
            return 0.0
        first = next((line for line in text.splitlines() if line.strip()), "")
        named = sample.path.name.lower() in ("chat.md", "index.md", "data.json")
        if _JSON_HEAD.match(first) and all(f'"{key}"' in first for key in ("date", "sender", "body", "quote")):
            return 0.95
        match = HEADER.match(first)
        if match is None:
            return 0.0
        if _dated_share(text) < 0.8:  # signal-export dates every message; "[21:16] Sam:" lines are a transcript
            return 0.1
        comma, seconds = bool(match["comma"]), bool(match["seconds"])
        if comma and seconds:  # signal-export never wrote this; WhatsApp on iOS does
            return 0.3 if named else 0.1
        if _has_signature(text):
            return 0.97
        if seconds:
            return 0.95 if named else 0.9
        return 0.9 if named else 0.6

    def read(self, path: Path, options: ImportOptions) -> Conversation:
        size = check_file(path, options.max_bytes)
        title = path.parent.name if path.name.lower() in ("chat.md", "index.md", "data.json") else None
        try:
            with path.open("rb") as fh:
                head = (decode_head(fh.read(4096)) or "").lstrip()
            is_json = head.startswith("{") or (head.startswith("[") and not re.match(r"\[\d{4}-", head))
            builder = ConversationBuilder(self.name, source_file(path), naive_timestamps=True, title=title or None)
            with path.open("rb") as fh:
                lines = iter_text_lines(fh, str(path), total=size, progress=options.report)
                if is_json:
                    _read_json_lines(lines, path, builder)
                else:
                    _read_markdown(lines, path, builder)
        except OSError as exc:
            raise ImportFormatError(path, f"cannot be read ({exc.strerror or exc})") from None
        return builder.build()


IMPORTER = SignalImporter()


def _dated_share(text: str) -> float:
    """Of the sample's lines that open with "[", the share that open with signal-export's full date header."""
    lines = text.splitlines()
    if not text.endswith("\n"):
        lines = lines[:-1]  # the sample's last line may be cut short
    bracketed = [line for line in lines if line.startswith("[")]
    if not bracketed:
        return 1.0
    return sum(1 for line in bracketed if HEADER.match(line)) / len(bracketed)


def _has_signature(text: str) -> bool:
    """signal-export ends every message body with two spaces (a markdown line break); other chats do not.

    True when at least two complete messages in the sample are there and nearly all of them end so.
    """
    lines = text.splitlines()
    complete = text.endswith("\n") or (len(lines) > 1 and lines[-1].startswith("["))
    if not text.endswith("\n"):
        lines = lines[:-1]  # the sample's last line may be cut short
    ends: list[str] = []
    current: str | None = None
    for line in lines:
        if HEADER.match(line):
            if current is not None:
                ends.append(current)
            current = line
        elif current is not None and line.strip():
            current = line
    if current is not None and complete:
        ends.append(current)
    if len(ends) < 2:
        return False
    marked = sum(
        1
        for end in ends
        if end.endswith(("  ", ": " + DELETED, " -)")) or (end.startswith("(( ") and end.endswith(" ))"))
    )
    return marked >= 0.8 * len(ends)


# ---------------------------------------------------------------------------------------------- markdown
def _read_markdown(lines: Iterator[tuple[int, str]], path: Path, builder: ConversationBuilder) -> None:
    start = 0
    header: re.Match[str] | None = None
    body: list[str] = []
    for line_no, line in lines:
        match = HEADER.match(line)
        if match is not None:
            if header is not None:
                _add_markdown(builder, path, start, header, body)
            start, header, body = line_no, match, []
        elif header is not None:
            body.append(line)
        elif line.strip():
            raise ImportFormatError(
                path, f"does not start with a '[YYYY-MM-DD HH:MM:SS] Name: text' line; {HINT}", line_no
            )
    if header is not None:
        _add_markdown(builder, path, start, header, body)


def _add_markdown(
    builder: ConversationBuilder, path: Path, line_no: int, header: re.Match[str], body: list[str]
) -> None:
    pattern = "%Y-%m-%d %H:%M" + (":%S" if header["seconds"] else "")
    stamp = header["date"] + " " + header["time"] + (header["seconds"] or "")
    try:
        moment = datetime.strptime(stamp, pattern)
    except ValueError:
        raise ImportFormatError(path, f"[{stamp}] is not a real date and time", line_no) from None
    while body and body[-1] == "":
        body.pop()
    raw = "\n".join([header["rest"] or "", *body])
    sender = _sender(builder, header["sender"])
    if raw == DELETED:
        builder.add(moment, sender, DELETED, is_system=True, source_line=line_no)
        return
    text, attachments = _split_markdown_body(raw)
    is_system = (not text and not attachments) or bool(_CALL.match(text))
    builder.add(moment, sender, text, attachments, is_system=is_system, source_line=line_no)


def _split_markdown_body(raw: str) -> tuple[str, tuple[Attachment, ...]]:
    """(text, attachments) of one markdown message: quote, reactions and file links taken off."""
    text = _drop_quote(raw)
    found: list[Attachment] = []
    while match := _TRAILING_FILE.search(text):
        found.append(_markdown_attachment(match))
        text = text[: match.start()]
    if sticker := _TRAILING_STICKER.search(text):
        found.append(Attachment("sticker", sticker["label"] or None))
        text = text[: sticker.start()]
    if reactions := _TRAILING_REACTIONS.search(text):
        text = text[: reactions.start()]
    found.reverse()
    return text.rstrip(), tuple(found)


def _drop_quote(raw: str) -> str:
    if not raw.startswith("\n\n>"):
        return raw
    lines = raw.split("\n")
    end = 2
    while end < len(lines) and (lines[end].startswith("> ") or lines[end] == ">"):
        end += 1
    if end > 2 and end < len(lines) and lines[end] == "":
        return "\n".join(lines[end + 1 :])
    if end > 2 and end == len(lines):  # a reply with nothing after the quote
        return ""
    return raw


def _markdown_attachment(match: re.Match[str]) -> Attachment:
    if match["missing"]:
        return Attachment("media" if match["missing"] == "media" else "other", None)
    target = match["path"]
    name = match["name"] or basename(target.replace("%20", " "))
    if target.startswith("../exported_stickers/"):
        return Attachment("sticker", match["name"] or basename(target))
    return Attachment(_file_kind(name, image=bool(match["bang"])), name)


def _file_kind(name: str | None, *, image: bool = False) -> AttachmentKind:
    kind = attachment_kind(name, None, "document")
    if image and kind not in ("image", "gif"):
        return "image"
    if kind == "audio" and name and re.search(r"_None\.\w+$", name):
        return "voice"  # Signal voice notes have no file name; signal-export writes "None"
    return kind


def _sender(builder: ConversationBuilder, name: str) -> str | None:
    name = name.strip()
    if not name or name == NO_SENDER:
        return None
    return builder.participant(name, name)


# ------------------------------------------------------------------------------------------------- json
def _read_json_lines(lines: Iterator[tuple[int, str]], path: Path, builder: ConversationBuilder) -> None:
    """data.json: one JSON object per line (JSON Lines), written by ``Message.dict_str``."""
    aware: bool | None = None
    for index, (line_no, line) in enumerate((n, text) for n, text in lines if text.strip()):
        value = parse_json_text(line, path, HINT, line_offset=line_no - 1)
        where = Where(path, f"line {line_no}")
        if not isinstance(value, dict):
            raise ImportFormatError(path, f"holds {type_name(value)}, not a message object; {HINT}", line_no)
        moment = _json_time(value, path, line_no)
        if aware is None:
            aware = moment.tzinfo is not None
            builder.naive_timestamps = not aware
        elif aware != (moment.tzinfo is not None):
            raise ImportFormatError(path, "mixes times with and without a time zone", line_no)
        _add_json(builder, value, where, moment, line_no, index)


def _json_time(record: dict[str, Any], path: Path, line_no: int) -> datetime:
    value = record.get("date")
    if not isinstance(value, str):
        raise ImportFormatError(
            path, f'"date" should be text like "2024-03-19T23:32:19", not {type_name(value)}', line_no
        )
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ImportFormatError(path, f'"date" is {value!r:.40}, not a date and time', line_no) from None


def _add_json(
    builder: ConversationBuilder, record: dict[str, Any], where: Where, moment: datetime, line_no: int, index: int
) -> None:
    sender = _sender(builder, opt_str(record, "sender", where) or "")
    if record.get("deleted") is True:
        builder.add(moment, sender, DELETED, is_system=True, source_line=line_no, source_record=index)
        return
    text = (opt_str(record, "body", where) or "").rstrip()
    found: list[Attachment] = []
    sticker = record.get("sticker")
    if isinstance(sticker, dict):
        emoji = sticker.get("emoji")
        found.append(Attachment("sticker", emoji if isinstance(emoji, str) and emoji else None))
    elif isinstance(sticker, str) and sticker:
        found.append(Attachment("sticker", sticker))
    elif sticker not in (None, ""):
        raise where.error(f'"sticker" should be an object or text, not {type_name(sticker)}')
    for item in opt_list(record, "attachments", where):
        if not isinstance(item, dict):
            raise where.error(f"an attachment is {type_name(item)}, not an object")
        missing = opt_str(item, "missing_kind", where)
        if missing is not None:
            found.append(Attachment("media" if missing == "media" else "other", None))
            continue
        target = opt_str(item, "path", where) or ""
        name = opt_str(item, "name", where) or basename(target.replace("%20", " "))
        found.append(Attachment(_file_kind(name), name))
    is_call = record.get("call") is True or bool(_CALL.match(text))
    is_system = is_call or (not text and not found)
    builder.add(moment, sender, text, tuple(found), is_system=is_system, source_line=line_no, source_record=index)
