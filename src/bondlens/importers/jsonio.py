"""Shared reading for the JSON-family importers: Telegram, Facebook/Instagram, Discord and Signal's data.json.

What lives here:

* :func:`read_json` - size check, chunked read with progress, BOM/UTF-16 handling, and one-line errors that
  name the file and the line (``json.JSONDecodeError.lineno``). Telegram Desktop writes control characters as
  ``\\xNN`` (not valid JSON; see ``SerializeString`` in tdesktop's ``export_output_json.cpp``); such files are
  repaired to ``\\u00NN`` and read, instead of being refused.
* :class:`Where` and the ``opt_*``/``req_*`` getters - typed access to records with errors that name the record.
* :func:`repair_mojibake` - Facebook and Instagram write UTF-8 bytes as ``\\u00XX`` escapes, so "é" arrives
  as "Ã©" and emoji as four Latin-1 characters. Each string is re-encoded to Latin-1 and decoded as UTF-8,
  only when both steps succeed; anything else (already-correct text, text with characters beyond U+00FF)
  is returned unchanged.
* :func:`attachment_kind` - an :data:`~bondlens.model.AttachmentKind` from a MIME type and/or a file name.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from bondlens.errors import ImportFormatError
from bondlens.importers.base import ImportOptions, check_file
from bondlens.model import AttachmentKind

READ_CHUNK = 4 * 1024 * 1024
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Plausible chat times: after 1990, before 2100. Anything else is a damaged or mistaken number.
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)

# \xNN written by Telegram Desktop for control characters, preceded by an even number of backslashes
_TDESKTOP_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\x([0-9A-Fa-f]{2})")


# --------------------------------------------------------------------------------------------------- reading
def read_json(
    path: Path,
    options: ImportOptions,
    *,
    hint: str,
    done_before: int = 0,
    total: int | None = None,
) -> Any:
    """Read a whole JSON file. ``hint`` ends error messages ("is this a Telegram Desktop export ...?").

    Progress is reported as bytes read: ``done_before`` bytes of a ``total`` (for several files read as one).
    """
    size = check_file(path, options.max_bytes)
    total = size if total is None else total
    options.report(done_before, total)
    chunks: list[bytes] = []
    done = 0
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(READ_CHUNK):
                chunks.append(chunk)
                done += len(chunk)
                options.report(done_before + done, total)
    except OSError as exc:
        raise ImportFormatError(path, f"cannot be read ({exc.strerror or exc})") from None
    data = b"".join(chunks)
    chunks.clear()  # keep at most the bytes, the text and the parsed value alive at once
    text = decode_json_bytes(data, path, hint)
    del data
    return parse_json_text(text, path, hint)


def decode_json_bytes(data: bytes, path: Path, hint: str) -> str:
    """JSON bytes as text: UTF-8 (BOM allowed) or UTF-16/32 with a BOM. Clear errors with the line."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
        if b"\x00" in data:
            at = data.index(b"\x00")
            raise ImportFormatError(
                path, f"contains binary data (a NUL byte), so it is not JSON text; {hint}", data.count(b"\n", 0, at) + 1
            )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1 if encoding == "utf-8-sig" else None
        raise ImportFormatError(
            path, f"is not UTF-8 text (byte 0x{data[exc.start]:02X}); export it again", line
        ) from None
    return text.removeprefix("\ufeff")


def parse_json_text(text: str, path: Path, hint: str, *, line_offset: int = 0) -> Any:
    """``json.loads`` with one-line errors naming the file and line; Telegram's ``\\xNN`` repaired."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg.startswith("Invalid \\escape") and text.startswith("\\x", exc.pos):
            repaired = _TDESKTOP_ESCAPE.sub(r"\1\\u00\2", text)
            if repaired != text:
                return parse_json_text(repaired, path, hint, line_offset=line_offset)
        raise ImportFormatError(path, describe_json_error(exc, text, hint), exc.lineno + line_offset) from None
    except RecursionError:
        raise ImportFormatError(path, f"is JSON nested too deeply to be a chat export; {hint}") from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise ImportFormatError(path, f"is not usable JSON ({exc}); {hint}") from None


def describe_json_error(exc: json.JSONDecodeError, text: str, hint: str) -> str:
    stripped = text.strip()
    if not stripped:
        return f"contains no JSON data (only blank space); {hint}"
    if exc.pos == 0 or (exc.pos <= len(text) - len(text.lstrip()) and exc.msg == "Expecting value"):
        return f"is not JSON (it does not start with {{ or [); {hint}"
    if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
        return "ends in the middle of the JSON data, so the file is cut short; copy or export it again"
    return f"is not valid JSON ({exc.msg}, column {exc.colno}); the file may be damaged, export it again"


# ------------------------------------------------------------------------------------------ typed access
@dataclass(frozen=True)
class Where:
    """A place in a JSON export, for error messages: the file and e.g. 'record 12 of "messages"'."""

    path: Path
    label: str

    def error(self, reason: str) -> ImportFormatError:
        return ImportFormatError(self.path, f"{self.label}: {reason}; the file may be damaged, export it again")

    def record(self, index: int, list_name: str = "messages") -> Where:
        return Where(self.path, f'record {index} of "{list_name}"')


def type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def as_dict(value: object, where: Where, what: str = "it") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error(f"{what} should be an object, not {type_name(value)}")
    return value


def opt_str(record: dict[str, Any], key: str, where: Where) -> str | None:
    """The text under ``key``; None when missing or null; an error for any other type."""
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    raise where.error(f'"{key}" should be text, not {type_name(value)}')


def opt_list(record: dict[str, Any], key: str, where: Where) -> list[Any]:
    """The list under ``key``; empty when missing or null; an error for any other type."""
    value = record.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise where.error(f'"{key}" should be a list, not {type_name(value)}')


def opt_dict(record: dict[str, Any], key: str, where: Where) -> dict[str, Any] | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, dict):
        return value
    raise where.error(f'"{key}" should be an object, not {type_name(value)}')


def opt_int(record: dict[str, Any], key: str, where: Where) -> int | None:
    """An integer under ``key`` (a JSON number or a string of digits); None when missing or null."""
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise where.error(f'"{key}" should be a number, not true/false')
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip()):
        return int(value.strip())
    raise where.error(f'"{key}" should be a whole number, not {value!r:.40}')


def unix_time(seconds: int, where: Where, key: str, *, millis: bool = False) -> datetime:
    """Aware UTC time from Unix seconds (or milliseconds), refusing implausible values with a clear error."""
    try:
        moment = UNIX_EPOCH + (timedelta(milliseconds=seconds) if millis else timedelta(seconds=seconds))
    except OverflowError:
        moment = _LATEST
    if not _EARLIEST <= moment < _LATEST:
        raise where.error(f'"{key}" is {seconds}, which is not a plausible chat time')
    return moment


# ----------------------------------------------------------------------------------------------- strings
def repair_mojibake(text: str) -> str:
    """Undo Facebook's "UTF-8 bytes written as \\u00XX" encoding for one string; leave correct text alone."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def basename(uri: str) -> str | None:
    """The last part of a path or URL ("messages/inbox/x/photos/1.jpg" -> "1.jpg"); None when empty."""
    cleaned = uri.strip().split("?", 1)[0].replace("\\", "/").rstrip("/")
    name = PurePosixPath(cleaned).name if cleaned else ""
    return name or None


_IMAGE = {"jpg", "jpeg", "png", "webp", "heic", "heif", "bmp", "tif", "tiff", "svg", "avif", "jfif"}
_GIF = {"gif"}
_VIDEO = {"mp4", "mov", "m4v", "mkv", "webm", "avi", "3gp", "gifv", "qt", "mpeg", "mpg", "wmv"}
_AUDIO = {"mp3", "m4a", "aac", "ogg", "oga", "opus", "wav", "flac", "amr", "weba", "wma"}


def attachment_kind(name: str | None, mime: str | None = None, default: AttachmentKind = "document") -> AttachmentKind:
    """The kind of a file from its MIME type (preferred) or its extension."""
    if mime:
        major, _, minor = mime.lower().partition("/")
        if major == "image":
            return "gif" if minor == "gif" else "image"
        if major == "video":
            return "video"
        if major == "audio":
            return "audio"
        if major in ("text", "application"):
            return "document"
    if name:
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext in _GIF:
            return "gif"
        if ext in _IMAGE:
            return "image"
        if ext in _VIDEO:
            return "video"
        if ext in _AUDIO:
            return "audio"
    return default
