"""`bondlens analyse`: import, detect and analyse one chat, and print a summary a person can read in a minute."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bondlens.analysis import Analysis, analyse
from bondlens.analysis.schema import dumps
from bondlens.analysis.summary import render_summary
from bondlens.cli.app import app, err_console, friendly_errors
from bondlens.cli.options import (
    ChatOpt,
    DayFirstOpt,
    FileArg,
    FormatOpt,
    MaxSizeOpt,
    MeOpt,
    MonthFirstOpt,
    import_options,
    load_with_progress,
    participants_hint,
    resolve_me,
)
from bondlens.detectors import detect
from bondlens.errors import BondlensError
from bondlens.model import Conversation

JsonOpt = Annotated[
    str | None,
    typer.Option(
        "--json",
        metavar="OUT",
        help="Also write the analysis as JSON (schema v1) to this file, readable only by you; '-' prints it instead "
        "of the summary.",
    ),
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", metavar="DATE", help="Only messages from this day (YYYY-MM-DD).")
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", metavar="DATE", help="Only messages up to this day (YYYY-MM-DD).")
]


def parse_day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BondlensError(f"{option} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01") from None


def require_me(conversation: Conversation, me: str | None, file: Path) -> str:
    """The participant id for ``--me``; without it, stop and say how to give it (never guess)."""
    found = resolve_me(conversation, me) if me is not None else None
    if found is None:
        raise BondlensError(
            "say which participant you are with --me, so bondlens knows which messages are yours "
            f"(participants: {participants_hint(conversation)}). "
            f'For example: bondlens analyse "{file}" --me "YOUR NAME AS SHOWN ABOVE"'
        )
    return found


def write_json(analysis: Analysis, out: str) -> None:
    """Write the JSON to ``out`` (created readable by the owner only: it quotes private messages)."""
    text = dumps(analysis)
    if out == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise BondlensError(f"cannot write {out}: {exc.strerror}") from None


@app.command("analyse")
@friendly_errors
def analyse_command(
    file: FileArg,
    me: MeOpt = None,
    json_out: JsonOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    format: FormatOpt = "auto",
    dayfirst: DayFirstOpt = False,
    monthfirst: MonthFirstOpt = False,
    chat: ChatOpt = None,
    max_size: MaxSizeOpt = "1GB",
) -> None:
    """Look for cycles of harm and reconciliation, the stages, signs and contact gaps, with the messages as evidence.

    Example: bondlens analyse "WhatsApp Chat with Sam.txt" --me Alex --json analysis.json
    """
    first, last = parse_day("--since", since), parse_day("--until", until)
    options = import_options(dayfirst, monthfirst, chat, "timestamp", "sender", "text", None, None, max_size)
    conversation = load_with_progress(file, format, options)
    me_id = require_me(conversation, me, file)
    findings = detect(conversation)  # every message read for tactics and signs: both sides are compared
    analysis = analyse(conversation, findings, me=me_id, since=first, until=last)
    if json_out == "-":
        write_json(analysis, "-")
        return
    render_summary(analysis, Console())
    if json_out is not None:
        write_json(analysis, json_out)
        err_console.print(f"wrote {json_out} (JSON, schema v1)", markup=False)


app.command("analyze", hidden=True)(analyse_command)  # the American spelling, for people who type it
