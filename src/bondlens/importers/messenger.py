"""Facebook Messenger and Instagram direct messages from Meta's "Download your information" (JSON format).

Learned from: chat-miner's FacebookMessengerParser/InstagramJsonParser and fixtures, mlomb/chat-analytics'
MessengerParser and its sample, a public write-up of the Messenger JSON schema (types Generic/Share/Call/
Subscribe/Unsubscribe, is_unsent, photos/videos/audio_files/gifs/files/sticker/share/users), strict
Newtonsoft models of message_N.json that list every field seen, karlicoss/HPI's instagram gdpr module and
NaphatPi/ig_dm_scraper (Instagram's "Liked a message", call lines). Our code and fixtures are our own.

Where the files are::

    facebook-<user>-<date>/your_facebook_activity/messages/inbox/<thread>/message_1.json   (2024-)
    facebook-<user>-<date>/your_activity_across_facebook/messages/inbox/<thread>/...       (2023)
    facebook-<user>-<date>/messages/inbox/<thread>/message_1.json                         (older)
    instagram-<user>-<date>/your_instagram_activity/messages/inbox/<thread>/message_1.json (2023-)
    instagram-<user>-<date>/messages/inbox/<thread>/message_1.json                        (older)

Both hold ``{"participants": [{"name"}], "messages": [...], "title", "is_still_participant", "thread_path",
"magic_words", ...}``; messages are newest first, at most 10,000 per file.

Decisions:

* Text: every string is repaired from Meta's mojibake (UTF-8 bytes written as \\u00XX escapes), string by
  string and only when the repair is exact (see :func:`bondlens.importers.jsonio.repair_mojibake`), so
  already-correct text, including text beyond Latin-1, is never damaged (chat-miner crashes on it).
* Order: messages are returned oldest first; ``source_record`` is the record's index in the file.
* Several files: when the given file is called ``message_N.json`` and other ``message_*.json`` files lie in the
  same folder, all of them are read as the one conversation they are (Meta splits long threads), and a
  warning lists them. ``Conversation.source`` describes the given file only; ``source_record`` then counts
  records across the files in number order (message_1.json first). A file whose ``thread_path`` differs is
  skipped with a warning; a damaged one is an error that names it (move it away to read the rest). To read
  one file alone, copy it somewhere on its own.
* Time: ``timestamp_ms`` is Unix milliseconds, so times are aware (UTC).
* Attachments: photos -> image, videos -> video, gifs -> gif, audio_files -> voice (Messenger's "audioclip"
  files and every Instagram audio file are voice messages) or audio, files -> by extension (document),
  sticker -> sticker, share -> other (named by its link). Names are the file name of each ``uri``.
  "X sent an attachment." (Meta's stand-in for media it did not include) becomes an attachment, not text.
* System lines (``is_system``, sender kept): unsent messages (``is_unsent``: text "(unsent message)"), calls
  (``call_duration``/type Call), members added/removed (Subscribe/Unsubscribe) and, for Instagram, "Liked a
  message", "Reacted 😂 to your message" and call notices. Reactions on messages are not kept (no place in the
  model).
* Facebook or Instagram: the formats are the same apart from a few fields. The sniffer decides by the path
  (a folder named ``your_instagram_activity`` or ``instagram-...`` versus ``your_facebook_activity``,
  ``your_activity_across_facebook`` or ``facebook-...``), then by the content (``uri`` values under those
  folders, Facebook's ``*_INTERNAL`` keys, Instagram's "Liked a message"). When nothing decides, Facebook wins;
  both importers read the file the same way, only the format name (and Instagram's extra system lines) differ.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from bondlens.errors import ImportFormatError
from bondlens.importers.base import ConversationBuilder, ImportOptions, Sample, check_file, source_file
from bondlens.importers.jsonio import (
    Where,
    as_dict,
    attachment_kind,
    basename,
    opt_dict,
    opt_int,
    opt_list,
    opt_str,
    read_json,
    repair_mojibake,
    type_name,
    unix_time,
)
from bondlens.model import Attachment, AttachmentKind, Conversation

HINT = "is this a Facebook Messenger or Instagram export (message_1.json)?"
UNSENT = "(unsent message)"

_PART_FILE = re.compile(r"message_(\d+)\.json", re.IGNORECASE)
_INSTAGRAM_DIRS = ("your_instagram_activity",)
_FACEBOOK_DIRS = ("your_facebook_activity", "your_activity_across_facebook")
_INSTAGRAM_TEXT = ("your_instagram_activity/", '"Liked a message"', " to your message")
_FACEBOOK_TEXT = ("your_facebook_activity/", "your_activity_across_facebook/", '_INTERNAL"')
_SENT_ATTACHMENT = re.compile(r"^.{1,200} sent an attachment\.$", re.DOTALL)
_INSTAGRAM_SYSTEM = re.compile(
    r"^(?:.{1,200} )?(?:[Ll]iked a message|[Rr]eacted .{1,24} to your message|"
    r"(?:started|missed) an? (?:audio call|video chat)|(?:[Aa]udio call|[Vv]ideo chat) ended)\s*$",
    re.DOTALL,
)
_PLATFORM_TITLE = {"facebook": "Facebook Messenger", "instagram": "Instagram direct messages"}


def meta_platform(sample: Sample) -> tuple[bool, str | None]:
    """(looks like a Meta message file?, "facebook"/"instagram"/None when the two cannot be told apart)."""
    text = sample.text
    if not text or not text.lstrip().startswith("{"):
        return False, None
    if not ('"sender_name"' in text and '"timestamp_ms"' in text and '"messages"' in text):
        return False, None
    parts = [part.lower() for part in sample.path.parts]
    if any(part in _INSTAGRAM_DIRS or part.startswith("instagram-") for part in parts):
        return True, "instagram"
    if any(part in _FACEBOOK_DIRS or part.startswith("facebook-") for part in parts):
        return True, "facebook"
    if any(marker in text for marker in _INSTAGRAM_TEXT):
        return True, "instagram"
    if any(marker in text for marker in _FACEBOOK_TEXT):
        return True, "facebook"
    return True, None


class MetaImporter:
    """One of the two Meta formats; both read the same file layout."""

    def __init__(self, name: str, example: str) -> None:
        self.name = name
        self.title = f"{_PLATFORM_TITLE[name]} JSON (Download your information: message_1.json)"
        self.example = example

    def sniff(self, sample: Sample) -> float:
        meta, platform = meta_platform(sample)
        if not meta:
            return 0.0
        if platform is None:
            return 0.9 if self.name == "facebook" else 0.85
        return 0.95 if platform == self.name else 0.5

    def read(self, path: Path, options: ImportOptions) -> Conversation:
        return _read(path, options, self.name)


FACEBOOK_IMPORTER = MetaImporter(
    "facebook",
    '{"participants": [{"name": "Robin Vale"}], "messages": [{"sender_name": "Robin Vale", '
    '"timestamp_ms": 1709410445000, "content": "Where are you?"}]}',
)
INSTAGRAM_IMPORTER = MetaImporter(
    "instagram",
    '{"participants": [{"name": "robin.vale"}], "messages": [{"sender_name": "robin.vale", '
    '"timestamp_ms": 1709410445000, "content": "Liked a message"}]}',
)


# ------------------------------------------------------------------------------------------------ reading
def _read(path: Path, options: ImportOptions, fmt: str) -> Conversation:
    check_file(path, options.max_bytes)
    files = _thread_files(path)
    sizes = [check_file(part, options.max_bytes) for part in files]
    total = sum(sizes)
    builder = ConversationBuilder(fmt, source_file(path), naive_timestamps=False)
    loaded: list[tuple[Path, Any]] = []
    done = 0
    for part, size in zip(files, sizes, strict=True):
        loaded.append((part, read_json(part, options, hint=HINT, done_before=done, total=total)))
        done += size
    given = dict(loaded)[path]
    if not isinstance(given, dict) or not isinstance(given.get("messages"), list):
        what = type_name(given) if not isinstance(given, dict) else "an object"
        raise ImportFormatError(path, f'is JSON ({what}) but has no "messages" list; {HINT}')
    thread_path = opt_str(given, "thread_path", Where(path, "the file"))
    title = opt_str(given, "title", Where(path, "the file"))
    builder.title = repair_mojibake(title) if title else None
    records: list[tuple[int, dict[str, Any], Where]] = []  # (index across the files, record, where)
    read_names: list[str] = []
    for part, data in loaded:
        top = Where(part, "the file")
        if part != path:
            if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
                builder.warn(f"{part.name} in the same folder is not part of this conversation and was not read")
                continue
            other = opt_str(data, "thread_path", top)
            if thread_path is not None and other is not None and other != thread_path:
                builder.warn(f"{part.name} belongs to another conversation ({other}) and was not read")
                continue
        for person in opt_list(data, "participants", top):
            name = opt_str(as_dict(person, top, "each participant"), "name", top)
            if name:
                fixed = repair_mojibake(name)
                builder.participant(fixed, fixed)
        start = len(records)
        for i, item in enumerate(data["messages"]):
            where = Where(part, f'record {i} of "messages"')
            records.append((start + i, as_dict(item, where, "each message"), where))
        read_names.append(part.name)
    if len(read_names) > 1:
        builder.warn(
            f"read {len(read_names)} files of this conversation from its folder ({', '.join(read_names)}); "
            "source_record counts records across them in that order"
        )
    converted = [_convert(index, record, where, fmt) for index, record, where in records]
    # newest first in the files: reverse, then a stable sort by time puts them oldest first
    converted.reverse()
    converted.sort(key=lambda item: item[0])
    for moment, sender, text, attachments, is_system, index in converted:
        if sender is not None:
            builder.participant(sender, sender)
        builder.add(moment, sender, text, attachments, is_system=is_system, source_record=index)
    options.report(total, total)
    return builder.build()


def _thread_files(path: Path) -> list[Path]:
    """The given file and, when it is message_N.json, its numbered siblings, in number order."""
    if not _PART_FILE.fullmatch(path.name):
        return [path]
    try:
        siblings = [p for p in path.parent.iterdir() if p != path and _PART_FILE.fullmatch(p.name) and p.is_file()]
    except OSError:
        return [path]
    return sorted([path, *siblings], key=_part_number)


def _part_number(path: Path) -> int:
    match = _PART_FILE.fullmatch(path.name)
    return int(match.group(1)) if match else 0


Converted = tuple[datetime, str | None, str, tuple[Attachment, ...], bool, int]


def _convert(index: int, record: dict[str, Any], where: Where, fmt: str) -> Converted:
    millis = opt_int(record, "timestamp_ms", where)
    if millis is None:
        raise where.error('has no "timestamp_ms"')
    moment = unix_time(millis, where, "timestamp_ms", millis=True)
    sender_name = opt_str(record, "sender_name", where)
    sender = repair_mojibake(sender_name).strip() if sender_name else None
    content = opt_str(record, "content", where)
    text = repair_mojibake(content) if content is not None else ""
    attachments = _attachments(record, where, fmt)
    kind = opt_str(record, "type", where) or ""
    is_system = False
    if record.get("is_unsent") is True:
        is_system = True
        text = text or UNSENT
    elif "call_duration" in record or kind == "Call":
        is_system = True
        text = text or _call_text(record, where)
    elif kind in ("Subscribe", "Unsubscribe"):
        is_system = True
        text = text or _members_text(record, where, kind, sender)
    elif fmt == "instagram" and _INSTAGRAM_SYSTEM.match(text):
        is_system = True
        text = text.strip()
    elif not attachments and _SENT_ATTACHMENT.match(text):
        text = ""
        attachments = (Attachment("other", None),)
    return moment, sender, text, attachments, is_system, index


def _call_text(record: dict[str, Any], where: Where) -> str:
    seconds = opt_int(record, "call_duration", where)
    if record.get("missed") is True or seconds == 0:
        return "missed call"
    if seconds:
        minutes, secs = divmod(seconds, 60)
        return f"call ({minutes} min {secs} s)" if minutes else f"call ({secs} s)"
    return "call"


def _members_text(record: dict[str, Any], where: Where, kind: str, sender: str | None) -> str:
    names: list[str] = []
    for user in opt_list(record, "users", where):
        name = user.get("name") if isinstance(user, dict) else None
        if isinstance(name, str) and name:
            names.append(repair_mojibake(name))
    if kind == "Unsubscribe" and names == [sender]:
        return "left the group"
    verb = "added" if kind == "Subscribe" else "removed"
    return f"{verb} {', '.join(names) if names else 'someone'}"


_LIST_KINDS: tuple[tuple[str, AttachmentKind], ...] = (
    ("photos", "image"),
    ("videos", "video"),
    ("gifs", "gif"),
    ("audio_files", "audio"),
    ("files", "document"),
)


def _attachments(record: dict[str, Any], where: Where, fmt: str) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    for key, default in _LIST_KINDS:
        for item in opt_list(record, key, where):
            entry = as_dict(item, where, f'each item of "{key}"')
            uri = opt_str(entry, "uri", where)
            name = basename(repair_mojibake(uri)) if uri else None
            kind: AttachmentKind = default
            if key == "audio_files" and (fmt == "instagram" or (name or "").lower().startswith("audioclip")):
                kind = "voice"
            elif key == "files":
                kind = attachment_kind(name, None, "document")
            found.append(Attachment(kind, name))
    sticker = opt_dict(record, "sticker", where)
    if sticker is not None:
        uri = opt_str(sticker, "uri", where)
        found.append(Attachment("sticker", basename(repair_mojibake(uri)) if uri else None))
    share = opt_dict(record, "share", where)
    if share is not None:
        link = opt_str(share, "link", where) or opt_str(share, "share_text", where)
        found.append(Attachment("other", repair_mojibake(link) if link else None))
    return tuple(found)
