"""`bondlens import`: read one chat export and print its messages (JSONL) or a short summary."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bondlens.cli.app import app, err_console, friendly_errors
from bondlens.cli.options import (
    ChatOpt,
    DayFirstOpt,
    DelimiterOpt,
    FileArg,
    FormatOpt,
    MaxSizeOpt,
    MonthFirstOpt,
    SenderColOpt,
    TextColOpt,
    TimestampColOpt,
    TimestampFormatOpt,
    import_options,
    load_with_progress,
)
from bondlens.model import Conversation
from bondlens.serialize import message_record


@app.command("import")
@friendly_errors
def import_command(
    file: FileArg,
    format: FormatOpt = "auto",
    dayfirst: DayFirstOpt = False,
    monthfirst: MonthFirstOpt = False,
    include_system: Annotated[
        bool, typer.Option("--include-system", help="Also output system lines (joins, encryption notice).")
    ] = False,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Print one JSON object per message.")] = False,
    chat: ChatOpt = None,
    timestamp_col: TimestampColOpt = "timestamp",
    sender_col: SenderColOpt = "sender",
    text_col: TextColOpt = "text",
    timestamp_format: TimestampFormatOpt = None,
    delimiter: DelimiterOpt = None,
    max_size: MaxSizeOpt = "1GB",
) -> None:
    """Read a chat export. Prints a summary, or every message as JSON lines with --jsonl.

    Example: bondlens import "WhatsApp Chat with Sam.txt" --jsonl > messages.jsonl
    """
    options = import_options(
        dayfirst, monthfirst, chat, timestamp_col, sender_col, text_col, timestamp_format, delimiter, max_size
    )
    conversation = load_with_progress(file, format, options)
    if jsonl:
        write_jsonl(conversation, include_system)
    else:
        print_summary(conversation, include_system)


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
