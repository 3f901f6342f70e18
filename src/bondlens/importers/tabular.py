"""Generic tables of messages: CSV with a header row, and JSON Lines (one JSON object per line).

These are the formats a person reaches for when their app has no export bondlens knows: a spreadsheet
saved as CSV, or a script's output. Which column (or key) holds the time, the sender and the text comes
from :class:`~bondlens.importers.base.ColumnMap` (``--timestamp-col``, ``--sender-col``, ``--text-col``,
``--timestamp-format``, ``--delimiter``); the defaults are ``timestamp``, ``sender`` and ``text``.

Sources the format facts were learned from: RFC 4180 and Python's ``csv`` module documentation (quoted
fields may hold delimiters, doubled quotes and line breaks; ``csv.Sniffer`` guesses wrong delimiters on
some files, CPython issues #97611 and #119123, so we match the header against the mapped names first and
only fall back to the sniffer); the JSON Lines description at jsonlines.org (UTF-8, one value per line);
chat-export CSV layouts of public exporters (Signal and Fitbit message CSVs: a header row, one message per
row, time as ISO text or Unix milliseconds). The code and the fixtures here are our own.

Decisions (each is tested):

* A timestamp split over two columns (or keys) is mapped as ``--timestamp-col 'Date+Time'``: the cells are
  joined with a space and read as one value (the error for a missing timestamp column suggests it).
* Without ``--delimiter`` the delimiter is the one of ``, ; tab |`` under which the header holds the mapped
  names; only when none does is ``csv.Sniffer`` asked (limited to those four), then ``,``. Excel's
  "sep=;" first line is honoured and skipped. UTF-16 with a BOM (Excel's "Unicode text") is read too.
* ``source_line`` is the line where a record starts (a quoted field may span lines); ``source_record`` is
  the 0-based index of the message among the data rows (CSV) or objects (JSONL).
* Optional extra columns/keys, matched case-insensitively: ``attachment``/``attachments`` (file names,
  several separated by ``;``, ``|`` or line breaks; the kind comes from the extension, or the cell may be a
  bare kind such as ``image``) and ``system``/``is_system`` (true/false, yes/no, 1/0; empty is false).
  JSONL also takes a list of names or of ``{"kind", "name", "mime_type"}`` objects (what
  ``bondlens import --jsonl`` writes) and ``sender_name`` as the display name, so our own output reads back.
* A row with empty text and no attachment is kept (it is a message the export holds, perhaps a deleted one
  or a sticker the exporter did not name), and the conversation warns how many there are.
* A non-system row without a sender is an error: we will not guess who wrote it.
* A CSV row with more non-empty fields than the header is an error: it almost always means a delimiter in
  the text that was not quoted, and reading on would cut the text.
* Timestamps are all aware or all naive; a file that mixes them is refused (we cannot order them safely).
  Times that go backwards are kept in file order, with a warning.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Final

from bondlens.errors import ImportFormatError
from bondlens.importers.base import (
    SAMPLE_BYTES,
    ColumnMap,
    ConversationBuilder,
    ImportOptions,
    Sample,
    check_file,
    source_file,
)
from bondlens.importers.textio import decode_head, iter_text_lines
from bondlens.importers.timeparse import TimestampError, is_aware, parse_timestamp
from bondlens.model import ATTACHMENT_KINDS, Attachment, AttachmentKind, Conversation

CSV_DELIMITERS: Final = (",", ";", "\t", "|")
ATTACHMENT_COLUMNS: Final = ("attachments", "attachment")
SYSTEM_COLUMNS: Final = ("is_system", "system")
FLAGS: Final = {"timestamp": "--timestamp-col", "sender": "--sender-col", "text": "--text-col"}

# Header names that, in some tool's export, hold each role. Only used to score a sniff: reading uses the
# names the user mapped (or the defaults), and a missing one is reported with the flag that maps it.
TIME_NAMES: Final = frozenset(
    {"timestamp", "time", "date", "datetime", "date_time", "date/time", "sent", "sent_at", "sent at",
     "created_at", "date sent", "time sent", "ts"}
)  # fmt: skip
SENDER_NAMES: Final = frozenset(
    {"sender", "from", "author", "name", "user", "username", "sender_name", "sender name", "speaker", "who"}
)
TEXT_NAMES: Final = frozenset({"text", "message", "body", "content", "msg", "message text", "message body"})

_EXTENSION_KINDS: Final[dict[str, AttachmentKind]] = {
    **dict.fromkeys(("jpg", "jpeg", "png", "heic", "heif", "webp", "bmp", "tif", "tiff"), "image"),
    "gif": "gif",
    **dict.fromkeys(("mp4", "mov", "m4v", "avi", "mkv", "webm", "3gp", "wmv"), "video"),
    **dict.fromkeys(("opus", "amr"), "voice"),
    **dict.fromkeys(("mp3", "m4a", "aac", "wav", "flac", "ogg", "oga", "wma"), "audio"),
    **dict.fromkeys(
        ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "txt", "csv", "epub"),
        "document",
    ),
    "vcf": "contact",
    **dict.fromkeys(("gpx", "kml"), "location"),
    "tgs": "sticker",
}
_KIND_WORDS: Final[dict[str, AttachmentKind]] = {
    **{kind: kind for kind in ATTACHMENT_KINDS},  # type: ignore[misc]
    "photo": "image",
    "picture": "image",
    "voice message": "voice",
    "voice note": "voice",
    "file": "document",
    "<media omitted>": "media",
    "media omitted": "media",
}
_TRUE: Final = frozenset({"true", "yes", "y", "1", "t"})
_FALSE: Final = frozenset({"false", "no", "n", "0", "f", ""})
_NAME_SPLIT: Final = re.compile(r"[;|\n]")
_EXCEL_SEP: Final = re.compile(r"^sep=([^\w\s\"])$", re.IGNORECASE)  # Excel's "sep=;" first line
_HEADER_FIELD: Final = re.compile(r"^[^\d:/\\<>{}\[\]\"'][^:<>{}\[\]]{0,47}$")


# --------------------------------------------------------------------------------------------- shared


def attachment_for(value: str) -> Attachment:
    """One attachment from a file name (kind from its extension) or a bare kind word ("image")."""
    word = value.strip()
    kind = _KIND_WORDS.get(word.casefold())
    if kind is not None:
        return Attachment(kind)
    path = word.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    suffix = PurePosixPath(path.replace("\\", "/")).suffix.lower().lstrip(".")
    return Attachment(_EXTENSION_KINDS.get(suffix, "other"), word)


def attachments_from_cell(value: str) -> tuple[Attachment, ...]:
    return tuple(attachment_for(part) for part in _NAME_SPLIT.split(value) if part.strip())


def parse_flag(value: str) -> bool | None:
    """true/false, yes/no, 1/0 (any case; empty is false), or None when it is none of them."""
    word = value.strip().casefold()
    return True if word in _TRUE else False if word in _FALSE else None


def _format_hint(raw: str) -> str:
    """How to give the format of a date we could not read, with an example shaped like the value."""
    for sep in "/.-":
        if re.match(rf"^\d{{1,2}}{re.escape(sep)}\d{{1,2}}{re.escape(sep)}\d{{2,4}}", raw.strip()):
            year = "%Y" if re.match(rf"^\d+{re.escape(sep)}\d+{re.escape(sep)}\d{{4}}", raw.strip()) else "%y"
            day, month = f"%d{sep}%m{sep}{year}", f"%m{sep}%d{sep}{year}"
            rest = " %H:%M" if ":" in raw else ""
            return (
                f"give its format with --timestamp-format, e.g. '{day}{rest}' if the day comes first "
                f"or '{month}{rest}' if the month does"
            )
    return "give its format with --timestamp-format, e.g. --timestamp-format '%d/%m/%Y %H:%M'"


class _Collector:
    """What CSV and JSONL share once a record is split into fields: checks, timestamps, the builder."""

    def __init__(self, path: Path, fmt: str, columns: ColumnMap, *, what: str) -> None:
        self.path = path
        self.columns = columns
        self.what = what  # "column" or "key", for messages
        self.builder = ConversationBuilder(fmt, source_file(path), naive_timestamps=True)
        self._aware: bool | None = None
        self._zone_line = 0
        self._last: datetime | None = None
        self._backwards: list[int] = []
        self._empty: list[int] = []

    def timestamp(self, raw: str | int | float, line: int) -> datetime:
        fmt = self.columns.timestamp_format
        try:
            moment = parse_timestamp(raw, fmt)
        except TimestampError as exc:
            hint = "check --timestamp-format" if fmt is not None else _format_hint(str(raw))
            raise ImportFormatError(
                self.path,
                f"cannot read the time {raw!r} in {self.what} {self.columns.timestamp!r}: it {exc}; {hint}",
                line,
            ) from None
        aware = is_aware(moment)
        if self._aware is None:
            self._aware, self._zone_line = aware, line
        elif aware != self._aware:
            has, other = ("has a", "do not") if aware else ("has no", "do")
            raise ImportFormatError(
                self.path,
                f"the time {raw!r} {has} time zone, but the times before it (from line {self._zone_line}) "
                f"{other}; times with and without a zone cannot be ordered safely, so give every time a zone "
                "or none",
                line,
            )
        if self._last is not None and moment < self._last:
            self._backwards.append(line)
        self._last = moment
        return moment

    def add(
        self,
        *,
        line: int,
        raw_time: str | int | float,
        sender: str | None,
        sender_name: str | None,
        text: str,
        attachments: tuple[Attachment, ...],
        is_system: bool,
    ) -> None:
        moment = self.timestamp(raw_time, line)
        if sender is None and not is_system:
            raise ImportFormatError(
                self.path,
                f"the sender ({self.what} {self.columns.sender!r}) is empty; fill it in, or mark the row as a "
                "system line in a 'system' column",
                line,
            )
        if sender is not None:
            self.builder.participant(sender, sender_name)
        if not text and not attachments and not is_system:
            self._empty.append(line)
        self.builder.add(
            moment,
            sender,
            text,
            attachments,
            is_system=is_system,
            source_line=line,
            source_record=self.builder.count,
        )

    def build(self) -> Conversation:
        self.builder.naive_timestamps = not self._aware
        if self._empty:
            self.builder.warn(
                f"{len(self._empty)} message(s) have no text and no attachment (kept as empty messages), "
                f"first at line {self._empty[0]}"
            )
        if self._backwards:
            self.builder.warn(
                f"times go backwards at {len(self._backwards)} place(s), first at line {self._backwards[0]}; "
                "messages are kept in file order"
            )
        return self.builder.build()


def _safe_sniff(score: float) -> float:
    return max(0.0, min(score, 0.4))


def _role_score(names: set[str]) -> float:
    """0.4: the default column names are all there; 0.3: every role has a usual name; else 0."""
    if {"timestamp", "sender", "text"} <= names:
        return 0.4
    if names & TIME_NAMES and names & SENDER_NAMES and names & TEXT_NAMES:
        return 0.3
    return 0.0


def _complete_lines(sample: Sample, limit: int) -> list[str]:
    """The first ``limit`` non-blank lines of the sample, leaving out a last line the sample may have cut."""
    text = sample.text or ""
    lines = text.split("\n")
    if len(sample.head) >= SAMPLE_BYTES and not text.endswith("\n"):
        lines = lines[:-1]
    return [line.rstrip("\r") for line in lines if line.strip()][:limit]


# --------------------------------------------------------------------------------------------- CSV


def _normalise_delimiter(path: Path, delimiter: str) -> str:
    if delimiter.lower() in ("\\t", "tab", "\t"):
        return "\t"
    if len(delimiter) != 1 or delimiter in '"\r\n' or delimiter.isalnum():
        raise ImportFormatError(
            path, f"--delimiter {delimiter!r} cannot be used; give one character such as ',' ';' or tab"
        )
    return delimiter


def _wanted(columns: ColumnMap) -> dict[str, str]:
    return {"timestamp": columns.timestamp, "sender": columns.sender, "text": columns.text}


def _find(header: list[str], name: str) -> list[int]:
    """Indices of ``name`` in the header: exact matches, else matches ignoring case and outer spaces."""
    exact = [i for i, field in enumerate(header) if field == name]
    if exact:
        return exact
    folded = name.strip().casefold()
    return [i for i, field in enumerate(header) if field.strip().casefold() == folded]


def _split_columns(name: str) -> list[str]:
    """ "Date+Time" -> ["Date", "Time"]: a timestamp written over several columns, joined with a space."""
    return [part.strip() for part in name.split("+")] if "+" in name.strip("+") else [name]


def _date_time_hint(names: list[str]) -> str:
    folded = {n.strip().casefold(): n.strip() for n in names}
    if "date" in folded and "time" in folded:
        return f"; for separate date and time columns use --timestamp-col '{folded['date']}+{folded['time']}'"
    return ""


def _resolve(header: list[str], name: str, role: str) -> list[int]:
    """The column(s) for a role: ``_find``; for the timestamp also "Date+Time", one column per part."""
    found = _find(header, name)
    parts = _split_columns(name) if role == "timestamp" and not found else [name]
    if len(parts) > 1:
        found = [i for part in parts for i in _find(header, part)[:1]]
        return found if len(found) == len(parts) else []
    return found


def _choose_delimiter(path: Path, columns: ColumnMap) -> str:
    """The delimiter under which the header holds the mapped names; else the sniffer's guess; else ','."""
    if columns.delimiter is not None:
        return _normalise_delimiter(path, columns.delimiter)
    with path.open("rb") as fh:
        text = decode_head(fh.read(SAMPLE_BYTES)) or ""
    lines = [line.rstrip("\r") for line in text.split("\n") if line.strip()]
    if not lines:
        return ","
    if excel_sep := _EXCEL_SEP.match(lines[0]):
        return excel_sep[1]
    wanted = list(_wanted(columns).items())
    best, best_hits = ",", -1
    for delimiter in CSV_DELIMITERS:
        try:
            header = next(csv.reader([lines[0]], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        hits = sum(1 for role, name in wanted if _resolve(header, name, role)) if len(header) > 1 else -1
        if hits > best_hits:
            best, best_hits = delimiter, hits
    if best_hits == len(wanted):
        return best
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters="".join(CSV_DELIMITERS)).delimiter
    except csv.Error:
        return best


class CsvImporter:
    name = "csv"
    title = "CSV table with a header row, one message per row (any spreadsheet)"
    example = 'timestamp,sender,text\n2026-03-12T21:15:00+01:00,Sam,"Are you home yet?"'

    def sniff(self, sample: Sample) -> float:
        try:
            return _safe_sniff(self._sniff(sample))
        except Exception:  # sniffing must never raise; a file we cannot judge is simply not ours
            return 0.0

    def _sniff(self, sample: Sample) -> float:
        if sample.text is None or sample.is_zip or sample.is_sqlite:
            return 0.0
        lines = _complete_lines(sample, 21)
        if lines and _EXCEL_SEP.match(lines[0]):
            lines = lines[1:]
        if not lines:
            return 0.0
        best = 0.0
        for delimiter in CSV_DELIMITERS:
            header = next(csv.reader([lines[0]], delimiter=delimiter))
            if len(header) < 2 or not all(_HEADER_FIELD.match(f.strip()) for f in header if f.strip()):
                continue
            names = {f.strip().casefold() for f in header}
            score = _role_score(names)
            if score == 0.0 and len(lines) >= 3 and self._consistent(lines, delimiter, len(header)):
                score = 0.1  # a table, but nothing says it holds messages
            best = max(best, score)
        return best

    @staticmethod
    def _consistent(lines: list[str], delimiter: str, width: int) -> bool:
        try:
            rows = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:
            return False
        return all(len(row) == width for row in rows[:10])

    def read(self, path: Path, options: ImportOptions) -> Conversation:
        size = check_file(path, options.max_bytes)
        columns = options.columns
        delimiter = _choose_delimiter(path, columns)
        collector = _Collector(path, self.name, columns, what="column")
        with path.open("rb") as fh:
            lines = iter_text_lines(fh, str(path), total=size, progress=options.report)
            feed = (line + "\n" for _, line in lines)
            reader = csv.reader(feed, delimiter=delimiter, strict=True)
            layout: _CsvLayout | None = None
            for start, row in _rows(path, reader):
                if layout is None and start == 1 and _EXCEL_SEP.match(delimiter.join(row)):
                    continue  # Excel's "sep=;" line names the delimiter; the header follows
                if layout is None:
                    layout = _CsvLayout.from_header(path, row, start, columns, delimiter)
                    continue
                layout.add(collector, row, start)
        options.report(size, size)
        if layout is None:
            raise ImportFormatError(path, "has no header row and no messages; is it the right file?")
        if collector.builder.count == 0:
            raise ImportFormatError(path, "has a header row but no messages under it")
        return collector.build()


def _rows(path: Path, reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Non-blank rows with the line each starts on, csv errors turned into ours."""
    while True:
        start = reader.line_num + 1
        try:
            row: list[str] = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFormatError(path, _csv_reason(str(exc)), start) from None
        if any(field.strip() for field in row):
            yield start, row


def _csv_reason(message: str) -> str:
    if "unexpected end of data" in message:
        return "a quoted field that starts in this row is never closed (a missing '\"'); fix the quote"
    if "field larger than field limit" in message:
        return (
            "a field in this row is longer than 128 KB, which usually means a quote that is never closed; "
            "check the quotes"
        )
    if "expected after" in message:
        return "badly quoted field (a '\"' inside a quoted field must be doubled as '\"\"')"
    if "new-line character" in message:
        return "a bare carriage return inside a field that is not quoted; save the file with normal line ends"
    return f"is not valid CSV here ({message})"


class _CsvLayout:
    """Where each column is, decided once from the header row."""

    def __init__(
        self,
        width: int,
        index: dict[str, list[int]],
        attachment: int | None,
        system: int | None,
        header: list[str],
    ) -> None:
        self.width = width
        self.index = index
        self.attachment = attachment
        self.system = system
        self.header = header

    @classmethod
    def from_header(cls, path: Path, header: list[str], line: int, columns: ColumnMap, delimiter: str) -> _CsvLayout:
        index: dict[str, list[int]] = {}
        missing: list[str] = []
        for role, name in _wanted(columns).items():
            found = _resolve(header, name, role)
            if (times := len(_find(header, name))) > 1:
                raise ImportFormatError(
                    path, f"the header has the column {name!r} {times} times; rename the extra ones", line
                )
            if not found:
                missing.append(f"{name!r} (map it with {FLAGS[role]})")
            else:
                index[role] = found
        if missing:
            shown = ", ".join(repr(field) for field in header)
            sep = "tab" if delimiter == "\t" else repr(delimiter)
            hint = _date_time_hint(header) if "timestamp" not in index else ""
            raise ImportFormatError(
                path,
                f"no column {' and '.join(missing)}; the header (line {line}, split on {sep}) has: {shown}{hint}",
            )
        used = {i for found in index.values() for i in found}
        extras = {field.strip().casefold(): i for i, field in reversed(list(enumerate(header))) if i not in used}
        attachment = next((extras[n] for n in ATTACHMENT_COLUMNS if n in extras), None)
        system = next((extras[n] for n in SYSTEM_COLUMNS if n in extras), None)
        return cls(len(header), index, attachment, system, header)

    def add(self, collector: _Collector, row: list[str], line: int) -> None:
        path = collector.path
        if len(row) > self.width and any(field.strip() for field in row[self.width :]):
            raise ImportFormatError(
                path,
                f"this row has {len(row)} fields but the header has {self.width}; a delimiter inside the text "
                "is probably not quoted (put the text in double quotes)",
                line,
            )

        def cell(i: int | None) -> str:
            return row[i] if i is not None and i < len(row) else ""

        for role, found in self.index.items():
            for i in found:
                if i >= len(row):
                    raise ImportFormatError(
                        path,
                        f"this row has {len(row)} fields but the header has {self.width}, so it has no "
                        f"{self.header[i]!r} ({role}); check the delimiter and quotes",
                        line,
                    )
        is_system = False
        if self.system is not None:
            flag = parse_flag(cell(self.system))
            if flag is None:
                raise ImportFormatError(
                    path,
                    f"the {self.header[self.system]!r} column says {cell(self.system)!r}; use true or false",
                    line,
                )
            is_system = flag
        sender = cell(self.index["sender"][0]).strip() or None
        collector.add(
            line=line,
            raw_time=" ".join(cell(i).strip() for i in self.index["timestamp"]),
            sender=sender,
            sender_name=None,
            text=cell(self.index["text"][0]),
            attachments=attachments_from_cell(cell(self.attachment)),
            is_system=is_system,
        )


# --------------------------------------------------------------------------------------------- JSONL


def _lookup(record: Mapping[str, Any], key: str) -> tuple[bool, Any]:
    """``record[key]``, or a dotted path into nested objects ("author.name")."""
    if key in record:
        return True, record[key]
    if "." in key:
        value: Any = record
        for part in key.split("."):
            if not isinstance(value, dict) or part not in value:
                return False, None
            value = value[part]
        return True, value
    return False, None


def _extra_key(record: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    """The key of an optional extra field, matched ignoring case, in the order of ``names``."""
    folded = {str(key).casefold(): key for key in reversed(list(record))}
    return next((folded[name] for name in names if name in folded), None)


def _json_type(value: Any) -> str:
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
    return "an object"


class JsonlImporter:
    name = "jsonl"
    title = "JSON Lines, one JSON object per message"
    example = '{"timestamp": "2026-03-12T21:15:00+01:00", "sender": "Sam", "text": "Are you home yet?"}'

    def sniff(self, sample: Sample) -> float:
        try:
            return _safe_sniff(self._sniff(sample))
        except Exception:  # sniffing must never raise
            return 0.0

    def _sniff(self, sample: Sample) -> float:
        if sample.text is None or sample.is_zip or sample.is_sqlite:
            return 0.0
        lines = _complete_lines(sample, 10)
        if not lines or not lines[0].lstrip().startswith("{"):
            return 0.0
        key_sets: list[set[str]] = []
        for line in lines:
            try:
                value = json.loads(line)
            except (ValueError, RecursionError):
                return 0.0
            if not isinstance(value, dict):
                return 0.0
            key_sets.append({str(k).casefold() for k in value})
        role = min(_role_score(keys) for keys in key_sets)
        if role > 0:
            return role
        return 0.1 if len(key_sets) >= 2 else 0.0

    def read(self, path: Path, options: ImportOptions) -> Conversation:
        size = check_file(path, options.max_bytes)
        columns = options.columns
        collector = _Collector(path, self.name, columns, what="key")
        with path.open("rb") as fh:
            for line_no, line in iter_text_lines(fh, str(path), total=size, progress=options.report):
                if not line.strip():
                    continue
                record = self._parse_line(path, line, line_no)
                self._add(collector, record, line_no)
        options.report(size, size)
        return collector.build()

    @staticmethod
    def _parse_line(path: Path, line: str, line_no: int) -> dict[str, Any]:
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            stripped = line.strip()
            if line_no == 1 and stripped in ("[", "{"):
                reason = (
                    "starts one JSON document spread over many lines, not JSON Lines (one object per line); "
                    "if it is an app's export, name that app's format with --format"
                )
            else:
                reason = f"is not valid JSON ({exc.msg} at column {exc.colno}); each line must be one JSON object"
            raise ImportFormatError(path, reason, line_no) from None
        except RecursionError:
            raise ImportFormatError(path, "holds JSON nested too deeply to read", line_no) from None
        if not isinstance(value, dict):
            raise ImportFormatError(
                path, f"holds {_json_type(value)}, not a JSON object; each line must be one object", line_no
            )
        return value

    @staticmethod
    def _add(collector: _Collector, record: dict[str, Any], line: int) -> None:
        path, columns = collector.path, collector.columns
        values: dict[str, Any] = {}
        for role, key in _wanted(columns).items():
            found, value = _lookup(record, key)
            parts = _split_columns(key) if role == "timestamp" and not found else [key]
            if len(parts) > 1:
                pieces = [_lookup(record, part) for part in parts]
                found = all(ok and isinstance(piece, str) for ok, piece in pieces)
                value = " ".join(str(piece).strip() for _, piece in pieces)
            if not found:
                keys = ", ".join(repr(k) for k in list(record)[:12]) or "none"
                hint = _date_time_hint([str(k) for k in record]) if role == "timestamp" else ""
                raise ImportFormatError(
                    path,
                    f"this object has no key {key!r} (map it with {FLAGS[role]}); its keys: {keys}{hint}",
                    line,
                )
            values[role] = value
        is_system = JsonlImporter._system(path, record, line)
        raw_time = values["timestamp"]
        if isinstance(raw_time, bool) or not isinstance(raw_time, str | int | float):
            raise ImportFormatError(
                path,
                f"the time ({columns.timestamp!r}) is {_json_type(raw_time)}; it must be text or a number",
                line,
            )
        sender = values["sender"]
        if isinstance(sender, int) and not isinstance(sender, bool):
            sender = str(sender)
        if sender is not None and not isinstance(sender, str):
            raise ImportFormatError(
                path, f"the sender ({columns.sender!r}) is {_json_type(sender)}; it must be text", line
            )
        text = values["text"]
        if text is not None and not isinstance(text, str):
            raise ImportFormatError(
                path, f"the text ({columns.text!r}) is {_json_type(text)}; it must be text or null", line
            )
        sender_name = record.get("sender_name") if columns.sender != "sender_name" else None
        collector.add(
            line=line,
            raw_time=raw_time,
            sender=(sender.strip() or None) if sender is not None else None,
            sender_name=(sender_name.strip() or None) if isinstance(sender_name, str) else None,
            text=text or "",
            attachments=JsonlImporter._attachments(path, record, line),
            is_system=is_system,
        )

    @staticmethod
    def _system(path: Path, record: dict[str, Any], line: int) -> bool:
        key = _extra_key(record, (*SYSTEM_COLUMNS, "issystem"))
        if key is None or record[key] is None:
            return False
        value = record[key]
        if isinstance(value, bool):
            return value
        flag = parse_flag(value) if isinstance(value, str) else None
        if flag is None:
            raise ImportFormatError(path, f"{key!r} is {_json_type(value)} {value!r}; use true or false", line)
        return flag

    @staticmethod
    def _attachments(path: Path, record: dict[str, Any], line: int) -> tuple[Attachment, ...]:
        key = _extra_key(record, ATTACHMENT_COLUMNS)
        if key is None or record[key] is None:
            return ()
        value = record[key]
        items = value if isinstance(value, list) else [value]
        found: list[Attachment] = []
        for item in items:
            if isinstance(item, str):
                found.extend(attachments_from_cell(item))
            elif isinstance(item, dict):
                found.append(JsonlImporter._attachment_object(path, key, item, line))
            else:
                raise ImportFormatError(
                    path, f"{key!r} holds {_json_type(item)}; give file names or objects with a 'name'", line
                )
        return tuple(found)

    @staticmethod
    def _attachment_object(path: Path, key: str, item: dict[str, Any], line: int) -> Attachment:
        name = next(
            (item[k] for k in ("name", "file", "filename", "path", "url") if isinstance(item.get(k), str)), None
        )
        kind = item.get("kind", item.get("type"))
        mime = item.get("mime_type", item.get("mime"))
        mime = mime if isinstance(mime, str) and mime else None
        if isinstance(kind, str) and kind.casefold() in _KIND_WORDS:
            return Attachment(_KIND_WORDS[kind.casefold()], name, mime)
        if name is not None:
            guessed = attachment_for(name)
            return Attachment(guessed.kind, name, mime)
        if kind is None and mime is None:
            raise ImportFormatError(path, f"an item in {key!r} has no 'name' and no 'kind'", line)
        return Attachment("other", None, mime)


CSV_IMPORTER = CsvImporter()
JSONL_IMPORTER = JsonlImporter()
