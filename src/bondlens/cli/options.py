"""Options shared by every command that reads a chat export, and resolving who "me" is."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from bondlens.cli.app import err_console
from bondlens.errors import BondlensError
from bondlens.importers import ColumnMap, ImportOptions, load_conversation
from bondlens.model import Conversation

PROGRESS_MIN_BYTES = 2 * 1024 * 1024  # smaller files import in a blink: no bar
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)

FileArg = Annotated[Path, typer.Argument(help="The exported chat file (.txt, .zip, .json, .xml, .csv, .db ...).")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Format name (see `bondlens formats`).")]
DayFirstOpt = Annotated[bool, typer.Option("--dayfirst", help="Dates are day/month (e.g. 03/04 = 3 April).")]
MonthFirstOpt = Annotated[bool, typer.Option("--monthfirst", help="Dates are month/day (e.g. 03/04 = 4 March).")]
ChatOpt = Annotated[str | None, typer.Option("--chat", help="Which chat or contact, when the export holds several.")]
TimestampColOpt = Annotated[
    str, typer.Option("--timestamp-col", help="CSV/JSONL: timestamp column; 'Date+Time' joins two columns.")
]
SenderColOpt = Annotated[str, typer.Option("--sender-col", help="CSV/JSONL: sender column.")]
TextColOpt = Annotated[str, typer.Option("--text-col", help="CSV/JSONL: text column.")]
TimestampFormatOpt = Annotated[
    str | None,
    typer.Option("--timestamp-format", help="CSV/JSONL: strptime format such as '%d.%m.%Y %H:%M', or unix / unix_ms."),
]
DelimiterOpt = Annotated[
    str | None, typer.Option("--delimiter", help="CSV: field delimiter (',', ';', 'tab' or '\\t').")
]
MaxSizeOpt = Annotated[str, typer.Option("--max-size", help="Refuse files larger than this.")]
MeOpt = Annotated[
    str | None, typer.Option("--me", help="Your own name or number as it appears in the export (who you are).")
]


def parse_size(text: str) -> int:
    """'500MB', '2G', '1048576' -> bytes."""
    match = _SIZE.match(text)
    if not match:
        raise BondlensError(f"--max-size {text!r} is not a size (examples: 500MB, 2GB)")
    number, unit = float(match[1]), match[2].lower()
    return int(number * 1024 ** "_kmgt".index(unit or "_"))


def import_options(
    dayfirst: bool,
    monthfirst: bool,
    chat: str | None,
    timestamp_col: str,
    sender_col: str,
    text_col: str,
    timestamp_format: str | None,
    delimiter: str | None,
    max_size: str,
) -> ImportOptions:
    if dayfirst and monthfirst:
        raise BondlensError("give --dayfirst or --monthfirst, not both")
    order = True if dayfirst else False if monthfirst else None
    columns = ColumnMap(timestamp_col, sender_col, text_col, timestamp_format, delimiter)
    return ImportOptions(dayfirst=order, columns=columns, chat=chat, max_bytes=parse_size(max_size))


def load_with_progress(file: Path, fmt: str, options: ImportOptions) -> Conversation:
    """Import ``file``, with a progress bar on stderr for large files when stderr is a terminal."""
    try:
        size = file.stat().st_size
    except OSError:
        size = 0
    if size < PROGRESS_MIN_BYTES or not err_console.is_terminal:
        return load_conversation(file, fmt, options)
    columns = (TextColumn("reading {task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(file.name, total=size)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total or size)

        return load_conversation(file, fmt, ImportOptions(**{**options.__dict__, "progress": report}))


def resolve_me(conversation: Conversation, me: str | None) -> str | None:
    """The participant id for ``--me`` (matched on id, name or handle, ignoring case); a clear error if none fits."""
    if me is None:
        return None
    wanted = me.strip().casefold()
    for p in conversation.participants:
        if wanted in {p.id.casefold(), p.name.casefold(), (p.handle or "").casefold()}:
            return p.id
    names = ", ".join(p.name for p in conversation.participants)
    raise BondlensError(f"--me {me!r} is not a participant of {conversation.source.path}; participants: {names}")


def participants_hint(conversation: Conversation) -> str:
    return ", ".join(repr(p.name) for p in conversation.participants)
