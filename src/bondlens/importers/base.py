"""What every importer is and shares: options, the sniffing sample, and a builder for conversations."""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from bondlens.errors import FileTooLargeError, ImportFormatError
from bondlens.model import Attachment, Conversation, Message, Participant, SourceFile

DEFAULT_MAX_BYTES = 1024**3  # 1 GiB; a bigger export is refused with a clear error unless the limit is raised
SAMPLE_BYTES = 64 * 1024

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ColumnMap:
    """How to read a generic CSV or JSONL file: which column holds what."""

    timestamp: str = "timestamp"
    sender: str = "sender"
    text: str = "text"
    timestamp_format: str | None = None  # strptime format; None accepts ISO 8601 and Unix seconds/milliseconds
    delimiter: str | None = None  # CSV delimiter; None sniffs it


@dataclass(frozen=True)
class ImportOptions:
    """What the user told us about the file. Everything has a safe default."""

    dayfirst: bool | None = None  # None: decide from the whole file, error if it cannot be decided
    columns: ColumnMap = field(default_factory=ColumnMap)
    chat: str | None = None  # which chat, when an export holds several (Telegram full export, chat.db, SMS)
    max_bytes: int = DEFAULT_MAX_BYTES
    progress: ProgressCallback | None = field(default=None, compare=False)

    def report(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)


@dataclass(frozen=True)
class Sample:
    """The first bytes of a file and a few facts about it, read once and shown to every importer's sniffer."""

    path: Path
    head: bytes
    text: str | None  # head decoded for sniffing; None when it looks binary
    zip_names: tuple[str, ...] = ()
    is_zip: bool = False
    is_sqlite: bool = False

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()


class Importer(Protocol):
    """One export format. ``sniff`` says how sure it is (0 to 1) that it can read the file; ``read`` reads it."""

    name: str
    title: str
    example: str

    def sniff(self, sample: Sample) -> float: ...

    def read(self, path: Path, options: ImportOptions) -> Conversation: ...


def read_sample(path: Path) -> Sample:
    from bondlens.importers.textio import decode_head

    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    is_zip = head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06")
    names: tuple[str, ...] = ()
    if is_zip:
        try:
            with zipfile.ZipFile(path) as zf:
                names = tuple(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
            names = ()
    is_sqlite = head.startswith(b"SQLite format 3\x00")
    text = None if (is_zip or is_sqlite) else decode_head(head)
    return Sample(path=path, head=head, text=text, zip_names=names, is_zip=is_zip, is_sqlite=is_sqlite)


def check_file(path: Path, max_bytes: int) -> int:
    """Refuse what cannot be a readable export before any parsing: missing, a folder, empty, too large."""
    if not path.exists():
        raise ImportFormatError(path, "no such file")
    if path.is_dir():
        raise ImportFormatError(path, "is a folder; give the exported chat file itself")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFormatError(path, f"cannot be read ({exc.strerror})") from None
    if not os.access(path, os.R_OK):
        raise ImportFormatError(path, "cannot be read (permission denied)")
    if size == 0:
        raise ImportFormatError(path, "is empty (0 bytes); export the chat again")
    if size > max_bytes:
        raise FileTooLargeError(
            path,
            f"is {_human(size)}, larger than the {_human(max_bytes)} limit; "
            "export a shorter period or raise the limit with --max-size",
        )
    return size


def _human(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def source_file(path: Path, member: str | None = None) -> SourceFile:
    sha, size = hash_file(path)
    return SourceFile(path=str(path), sha256=sha, size=size, member=member)


class ConversationBuilder:
    """Collects messages in export order, gives them ids, and checks the result before it is returned."""

    def __init__(self, fmt: str, source: SourceFile, *, naive_timestamps: bool, title: str | None = None):
        self.format = fmt
        self.source = source
        self.naive_timestamps = naive_timestamps
        self.title = title
        self._participants: dict[str, Participant] = {}
        self._messages: list[Message] = []
        self._warnings: list[str] = []

    def participant(self, participant_id: str, name: str | None = None, handle: str | None = None) -> str:
        """Register a participant (first registration wins) and return its id."""
        if participant_id not in self._participants:
            self._participants[participant_id] = Participant(participant_id, name or participant_id, handle)
        return participant_id

    def add(
        self,
        timestamp: datetime,
        sender: str | None,
        text: str,
        attachments: tuple[Attachment, ...] = (),
        *,
        is_system: bool = False,
        source_line: int | None = None,
        source_record: int | None = None,
    ) -> None:
        if sender is not None and sender not in self._participants:
            self.participant(sender)
        self._messages.append(
            Message(
                len(self._messages),
                timestamp,
                sender,
                text,
                attachments,
                is_system,
                source_line,
                source_record,
            )
        )

    def warn(self, text: str) -> None:
        self._warnings.append(text)

    @property
    def count(self) -> int:
        return len(self._messages)

    def build(self) -> Conversation:
        if not self._messages:
            raise ImportFormatError(self.source.path, f"no messages found in this {self.format} export")
        return Conversation(
            format=self.format,
            source=self.source,
            participants=tuple(self._participants.values()),
            messages=tuple(self._messages),
            naive_timestamps=self.naive_timestamps,
            title=self.title,
            warnings=tuple(self._warnings),
        )
