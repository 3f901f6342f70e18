"""`bondlens import`: read one chat export and print its messages (JSONL) or a short summary."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from bondlens.cli.app import app, err_console, friendly_errors
from bondlens.errors import BondlensError
from bondlens.importers import ColumnMap, ImportOptions, load_conversation
from bondlens.importers.base import DEFAULT_MAX_BYTES
from bondlens.model import Conversation
from bondlens.serialize import message_record

PROGRESS_MIN_BYTES = 2 * 1024 * 1024  # smaller files import in a blink: no bar
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """'500MB', '2G', '1048576' -> bytes."""
    match = _SIZE.match(text)
    if not match:
        raise BondlensError(f"--max-size {text!r} is not a size (examples: 500MB, 2GB)")
    number, unit = float(match[1]), match[2].lower()
    return int(number * 1024 ** "_kmgt".index(unit or "_"))


def day_order(dayfirst: bool, monthfirst: bool) -> bool | None:
    if dayfirst and monthfirst:
        raise BondlensError("give --dayfirst or --monthfirst, not both")
    return True if dayfirst else False if monthfirst else None


@app.command("import")
@friendly_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="The exported chat file (.txt, .zip, .json, .xml, .csv, .db ...).")],
    format: Annotated[str, typer.Option("--format", "-f", help="Format name (see `bondlens formats`).")] = "auto",
    dayfirst: Annotated[bool, typer.Option("--dayfirst", help="Dates are day/month (e.g. 03/04 = 3 April).")] = False,
    monthfirst: Annotated[
        bool, typer.Option("--monthfirst", help="Dates are month/day (e.g. 03/04 = 4 March).")
    ] = False,
    include_system: Annotated[
        bool, typer.Option("--include-system", help="Also output system lines (joins, encryption notice).")
    ] = False,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Print one JSON object per message.")] = False,
    chat: Annotated[
        str | None, typer.Option("--chat", help="Which chat or contact, when the export holds several.")
    ] = None,
    timestamp_col: Annotated[
        str, typer.Option("--timestamp-col", help="CSV/JSONL: timestamp column; 'Date+Time' joins two columns.")
    ] = "timestamp",
    sender_col: Annotated[str, typer.Option("--sender-col", help="CSV/JSONL: sender column.")] = "sender",
    text_col: Annotated[str, typer.Option("--text-col", help="CSV/JSONL: text column.")] = "text",
    timestamp_format: Annotated[
        str | None,
        typer.Option(
            "--timestamp-format", help="CSV/JSONL: strptime format such as '%d.%m.%Y %H:%M', or unix / unix_ms."
        ),
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", help="CSV: field delimiter (',', ';', 'tab' or '\\t').")
    ] = None,
    max_size: Annotated[str, typer.Option("--max-size", help="Refuse files larger than this.")] = "1GB",
) -> None:
    """Read a chat export. Prints a summary, or every message as JSON lines with --jsonl.

    Example: bondlens import "WhatsApp Chat with Sam.txt" --jsonl > messages.jsonl
    """
    columns = ColumnMap(timestamp_col, sender_col, text_col, timestamp_format, delimiter)
    limit = parse_size(max_size) if max_size != "1GB" else DEFAULT_MAX_BYTES
    options = ImportOptions(dayfirst=day_order(dayfirst, monthfirst), columns=columns, chat=chat, max_bytes=limit)
    conversation = _load_with_progress(file, format, options)
    if jsonl:
        write_jsonl(conversation, include_system)
    else:
        print_summary(conversation, include_system)


def _load_with_progress(file: Path, fmt: str, options: ImportOptions) -> Conversation:
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


def write_jsonl(conversation: Conversation, include_system: bool) -> None:
    out = sys.stdout
    dumps = json.dumps
    for message in conversation.messages:
        if message.is_system and not include_system:
            continue
        out.write(dumps(message_record(conversation, message), ensure_ascii=False) + "\n")
    out.flush()


def print_summary(conversation: Conversation, include_system: bool) -> None:
    console = Console()
    counts = conversation.message_counts()
    messages = conversation.messages if include_system else conversation.user_messages()
    system = sum(1 for m in conversation.messages if m.is_system)
    attachments = sum(len(m.attachments) for m in conversation.messages)
    first, last = conversation.first_timestamp, conversation.last_timestamp
    zone = "device local time, no zone in export" if conversation.naive_timestamps else "with time zone"

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row(
        "file",
        conversation.source.path + (f" ({conversation.source.member})" if conversation.source.member else ""),
    )
    table.add_row("format", conversation.format)
    if conversation.title:
        table.add_row("chat", conversation.title)
    table.add_row("sha-256", conversation.source.sha256)
    table.add_row("messages", f"{len(messages)}" + ("" if include_system else f" (+{system} system lines)"))
    table.add_row("attachments", str(attachments))
    if first and last:
        table.add_row("dates", f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} ({zone})")
    console.print(table)

    people = Table(title="participants", title_justify="left")
    people.add_column("name")
    people.add_column("id / handle")
    people.add_column("messages", justify="right")
    for p in conversation.participants:
        people.add_row(p.name, p.handle or p.id, str(counts.get(p.id, 0)))
    console.print(people)
    for warning in conversation.warnings:
        err_console.print(f"warning: {warning}", markup=False)
