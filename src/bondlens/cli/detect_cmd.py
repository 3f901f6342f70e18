"""`bondlens detect` and `bondlens detectors`: findings per message, and what can find them."""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

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
from bondlens.detectors import detect, detector_entries, load_detector
from bondlens.model import Conversation, Finding
from bondlens.serialize import finding_record
from bondlens.taxonomy import labels as taxonomy_labels

if TYPE_CHECKING:
    from bondlens.detectors.base import Detector
    from bondlens.detectors.llm import LLMDetector

EXAMPLES_SHOWN = 12
LLM_NAMES = ("llm", "llm.v1")


@app.command("detectors")
@friendly_errors
def detectors_command() -> None:
    """List the installed detectors (built-in and plugins) with their labels."""
    table = Table(title="Detectors (entry-point group bondlens.detectors)")
    for column in ("name", "version", "package", "labels"):
        table.add_column(column, overflow="fold")
    for entry in detector_entries().values():
        detector = load_detector(entry.name)
        table.add_row(entry.name, detector.version, entry.distribution or "?", ", ".join(detector.labels))
    Console().print(table)


@app.command("detect")
@friendly_errors
def detect_command(
    file: FileArg,
    me: MeOpt = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Print one JSON object per finding.")] = False,
    detector: Annotated[
        list[str] | None,
        typer.Option("--detector", "-d", help="Detector to run (repeatable); default: rules, then messages."),
    ] = None,
    format: FormatOpt = "auto",
    dayfirst: DayFirstOpt = False,
    monthfirst: MonthFirstOpt = False,
    chat: ChatOpt = None,
    max_size: MaxSizeOpt = "1GB",
    llm_url: Annotated[
        str | None,
        typer.Option(
            "--llm-url",
            help="OpenAI-compatible server for --detector llm (default from config.toml, else Ollama's "
            "http://127.0.0.1:11434/v1). Only this computer's addresses unless --allow-remote.",
        ),
    ] = None,
    llm_model: Annotated[
        str | None, typer.Option("--llm-model", help="Model name on that server, for --detector llm.")
    ] = None,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote", help="Let --llm-url be another computer: the conversation then leaves this machine."
        ),
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Keep the LLM's answers in memory only, not in the cache file.")
    ] = False,
) -> None:
    """Find tactics (in the other person's messages) and signs (in yours), each with its evidence.

    Example: bondlens detect "WhatsApp Chat with Sam.txt" --me Alex --jsonl > findings.jsonl
    """
    wants_llm = bool(detector) and any(name in LLM_NAMES for name in detector or [])
    if not wants_llm and (llm_url or llm_model or allow_remote or no_cache):
        err_console.print("note: --llm-* options, --allow-remote and --no-cache apply only with --detector llm.")
    llm = _llm_detector(llm_url, llm_model, allow_remote, no_cache) if wants_llm else None
    options = import_options(dayfirst, monthfirst, chat, "timestamp", "sender", "text", None, None, max_size)
    conversation = load_with_progress(file, format, options)
    me_id = resolve_me(conversation, me)
    if me_id is None:
        err_console.print(
            "note: without --me, tactics and signs are looked for in everyone's messages. "
            f"Say which participant you are with --me (participants: {participants_hint(conversation)}).",
            markup=False,
            soft_wrap=True,
        )
    chosen: list[Detector] | None = None
    if detector:
        chosen = [llm if name in LLM_NAMES and llm is not None else load_detector(name) for name in detector]
    findings = detect(conversation, chosen, me=me_id)
    if llm is not None:
        err_console.print(llm.stats.summary(), markup=False, soft_wrap=True)
    if jsonl:
        out = sys.stdout
        for finding in findings:
            out.write(json.dumps(finding_record(conversation, finding), ensure_ascii=False) + "\n")
        out.flush()
    else:
        print_findings(conversation, findings)


def _llm_detector(url: str | None, model: str | None, allow_remote: bool, no_cache: bool) -> LLMDetector:
    """The LLM detector with config.toml's [llm] settings, the command line winning. Imported only here, so
    the default path never loads it."""
    from bondlens.detectors.llm import LLMDetector, LLMError, check_url, load_config

    config = load_config().merged(
        url=url, model=model, allow_remote=True if allow_remote else None, use_cache=False if no_cache else None
    )
    check_url(config.url, config.allow_remote)  # refuse before reading the chat
    if not config.model:
        raise LLMError("--detector llm needs --llm-model NAME (or model = in [llm] of config.toml)")
    return LLMDetector(config, warn=lambda text: err_console.print(text, markup=False, soft_wrap=True))


def print_findings(conversation: Conversation, findings: list[Finding]) -> None:
    console = Console()
    names = taxonomy_labels()
    if not findings:
        console.print("No tactics or signs were found. That is not proof that all is well.")
        return
    counts = Counter((f.label, f.sender) for f in findings)
    table = Table(title=f"What was found in {len(conversation.user_messages())} messages (indications, not proof)")
    table.add_column("what")
    table.add_column("in messages from")
    table.add_column("count", justify="right")
    for (label, sender), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0])):
        who = conversation.participant(sender).name if sender else "?"
        table.add_row(names[label].name, who, str(count))
    console.print(table)
    console.print(f"Strongest examples (of {len(findings)}):", style="bold")
    for finding in sorted(findings, key=lambda f: -f.score)[:EXAMPLES_SHOWN]:
        message = conversation.messages[finding.message_id]
        who = conversation.sender_name(message) or "?"
        console.print(
            f"  {message.timestamp:%Y-%m-%d %H:%M} {who}: [bold]{names[finding.label].name}[/bold] "
            f"({finding.score:.2f}) — {finding.explanation.text()}",
            highlight=False,
        )
