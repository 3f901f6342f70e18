"""`bondlens vault`: keep cases in an encrypted vault on this computer (init, add, list, show, delete, export).

The passphrase is never taken from the command line (it would show in the shell history and the process list):
it is asked for without echo, or read from the first line of standard input with --passphrase-stdin, or from the
environment variable BONDLENS_VAULT_PASSPHRASE (for scripts and tests)."""

from __future__ import annotations

import getpass
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bondlens.analysis import analyse
from bondlens.cli.app import app, err_console, friendly_errors
from bondlens.cli.options import (
    ChatOpt,
    DayFirstOpt,
    FileArg,
    FormatOpt,
    MaxSizeOpt,
    MonthFirstOpt,
    import_options,
    load_with_progress,
    participants_hint,
    resolve_me,
)
from bondlens.detectors import detect
from bondlens.errors import BondlensError
from bondlens.vault import MIN_PASSPHRASE_CHARS, Vault, default_vault_path, export_case

PASSPHRASE_ENV = "BONDLENS_VAULT_PASSPHRASE"
NO_RECOVERY = (
    "There is no way to recover the passphrase: if it is forgotten, nobody can open this vault, you included. "
    "Choose one you will remember and that someone who knows you would not guess."
)

vault_app = typer.Typer(
    name="vault",
    help=(
        "Keep cases (a chat, its findings and analysis, self-checks, plans) in a vault on this computer, "
        "encrypted with a passphrase. There is no passphrase recovery."
    ),
    no_args_is_help=True,
)
app.add_typer(vault_app, name="vault")

VaultOpt = Annotated[
    Path | None,
    typer.Option(
        "--vault",
        metavar="FILE",
        envvar="BONDLENS_VAULT",
        help="The vault file (default: vault.db in your bondlens data folder, e.g. ~/.local/share/bondlens).",
        show_default=False,
    ),
]
StdinOpt = Annotated[
    bool,
    typer.Option(
        "--passphrase-stdin",
        help="Read the passphrase from the first line of standard input instead of asking "
        f"(or set {PASSPHRASE_ENV}). Never put it on the command line.",
    ),
]
CaseArg = Annotated[int, typer.Argument(metavar="ID", help="The case id (see `bondlens vault list`).")]


def read_passphrase(from_stdin: bool, *, confirm: bool = False) -> str:
    """The passphrase from standard input, the environment, or asked for on the terminal (without echo)."""
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise BondlensError("--passphrase-stdin: standard input held no passphrase")
        return line
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise BondlensError(
            f"no passphrase: run this in a terminal to be asked, or give it with --passphrase-stdin or {PASSPHRASE_ENV}"
        )
    try:
        passphrase = getpass.getpass("Vault passphrase: ")
        if confirm and getpass.getpass("The same passphrase again: ") != passphrase:
            raise BondlensError("the two passphrases differ; nothing was created")
    except EOFError:
        raise BondlensError("no passphrase given") from None
    return passphrase


def vault_path(option: Path | None) -> Path:
    return option if option is not None else default_vault_path()


def open_vault(option: Path | None, from_stdin: bool) -> Vault:
    path = vault_path(option)
    if not path.exists():
        where = "" if option is None else f" --vault {path}"
        raise BondlensError(f"no vault at {path}; create one with: bondlens vault init{where}")
    # a command runs for seconds: no auto-lock here (the web app's long-lived vault uses it)
    return Vault.open(path, read_passphrase(from_stdin), idle_minutes=None)


def local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def day(iso: str | None) -> str:
    return "?" if iso is None else iso[:10]


@vault_app.command("init")
@friendly_errors
def init_command(vault: VaultOpt = None, passphrase_stdin: StdinOpt = False) -> None:
    """Create a new, empty vault (the file is readable only by you).

    Example: bondlens vault init
    """
    path = vault_path(vault)
    if path.exists():
        raise BondlensError(f"{path} already exists; bondlens will not overwrite it")
    err_console.print(NO_RECOVERY, markup=False, soft_wrap=True)
    err_console.print(f"The passphrase needs at least {MIN_PASSPHRASE_CHARS} characters.", markup=False)
    passphrase = read_passphrase(passphrase_stdin, confirm=True)
    Vault.create(path, passphrase, idle_minutes=None).close()
    Console(highlight=False).print(f"created the vault {path} (readable only by you)", markup=False)


@vault_app.command("add")
@friendly_errors
def add_command(
    file: FileArg,
    me: Annotated[str, typer.Option("--me", help="Your own name or number as it appears in the export.")],
    label: Annotated[
        str,
        typer.Option(
            "--label",
            help="A name for the case that you will recognise (stored encrypted; a neutral word is safest).",
        ),
    ],
    vault: VaultOpt = None,
    passphrase_stdin: StdinOpt = False,
    format: FormatOpt = "auto",
    dayfirst: DayFirstOpt = False,
    monthfirst: MonthFirstOpt = False,
    chat: ChatOpt = None,
    max_size: MaxSizeOpt = "1GB",
) -> None:
    """Import a chat export, find the tactics and signs, analyse it, and keep it all as one case.

    Example: bondlens vault add "WhatsApp Chat with Sam.txt" --me Alex --label "notes 1"
    """
    options = import_options(dayfirst, monthfirst, chat, "timestamp", "sender", "text", None, None, max_size)
    with open_vault(vault, passphrase_stdin) as store:  # a wrong passphrase stops before the slow part
        conversation = load_with_progress(file, format, options)
        me_id = resolve_me(conversation, me)
        if me_id is None:  # resolve_me raises when nothing fits; this is for the type checker
            raise BondlensError(f"say who you are with --me (participants: {participants_hint(conversation)})")
        findings = detect(conversation)  # both sides, as `bondlens analyse` does
        analysis = analyse(conversation, findings, me=me_id)
        case_id = store.add_case(label, conversation, me=me_id, findings=findings, analysis=analysis)
    messages = len(conversation.user_messages())
    Console(highlight=False).print(
        f"added case {case_id} ({messages:,} messages, {len(findings):,} findings) to {store.path}", markup=False
    )


@vault_app.command("list")
@friendly_errors
def list_command(vault: VaultOpt = None, passphrase_stdin: StdinOpt = False) -> None:
    """List the cases: id, label, when stored and changed, the chat's dates and message count."""
    with open_vault(vault, passphrase_stdin) as store:
        cases = store.cases()
    console = Console(highlight=False)
    if not cases:
        console.print("The vault holds no cases. Add one with: bondlens vault add FILE --me NAME --label TEXT")
        return
    table = Table(title=f"Cases in {store.path}")
    for column in ("id", "label", "created", "updated", "chat from", "chat to"):
        table.add_column(column, overflow="fold")
    table.add_column("messages", justify="right")
    for case in cases:
        table.add_row(
            str(case.id),
            Text(case.label),
            local(case.created),
            local(case.updated),
            day(case.first_message),
            day(case.last_message),
            f"{case.messages:,}",
        )
    console.print(table)


@vault_app.command("show")
@friendly_errors
def show_command(case_id: CaseArg, vault: VaultOpt = None, passphrase_stdin: StdinOpt = False) -> None:
    """Show a summary of one case: the chat, what was found, self-checks and plans."""
    with open_vault(vault, passphrase_stdin) as store:
        case = store.case(case_id)
        analysis = store.analysis(case_id)
        selfchecks = store.selfchecks(case_id)
        plans = store.plans(case_id)
    lines = [
        f"case {case.id}: {case.label}",
        f"stored {local(case.created)}, last changed {local(case.updated)}",
    ]
    if case.format is not None:
        lines.append(
            f"chat: {case.format}, {case.messages:,} messages from {day(case.first_message)} to "
            f"{day(case.last_message)}; participants: {', '.join(case.participants)}"
            + ("" if case.me is None else f" (you: {case.me})")
        )
        lines.append(f"source file SHA-256: {case.source_sha256}")
    if case.findings is not None:
        lines.append(f"findings: {case.findings:,}")
    if analysis is not None:
        for pattern in analysis.get("patterns", []):
            lines.append(f"cycle: {pattern.get('explanation', '')}")
        explanation = analysis.get("asymmetry", {}).get("explanation")
        if explanation:
            lines.append(f"who does what: {explanation}")
        lines.append(f"note: {analysis.get('disclaimer', 'indications, not a diagnosis')}")
    for result in selfchecks:
        lines.append(f"self-check of {result.taken_on}: {result.band_name}")
    for plan in plans:
        lines.append(f"plan: {plan.name} (saved {local(plan.created)})")
    console = Console(highlight=False)
    for line in lines:
        console.print(line, markup=False, soft_wrap=True)


@vault_app.command("delete")
@friendly_errors
def delete_command(
    case_id: CaseArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    vault: VaultOpt = None,
    passphrase_stdin: StdinOpt = False,
) -> None:
    """Delete a case for good: its data is removed and wiped from the vault file. It cannot be undone."""
    if not yes and (passphrase_stdin or not sys.stdin.isatty()):
        raise BondlensError("deleting a case cannot be undone: add --yes to confirm (nothing was deleted)")
    with open_vault(vault, passphrase_stdin) as store:
        case = store.case(case_id)
        if not yes and not typer.confirm(f"Delete case {case.id} ({case.label}) for good? It cannot be recovered"):
            err_console.print("nothing was deleted", markup=False)
            return
        wiped = store.delete_case(case_id)
    Console(highlight=False).print(f"deleted case {case_id}", markup=False)
    if not wiped:
        err_console.print(
            "warning: another program has the vault open, so the deleted case's encrypted pages could not be "
            "wiped from the vault's journal yet; they go when that program closes the vault",
            markup=False,
            soft_wrap=True,
        )


@vault_app.command("export")
@friendly_errors
def export_command(
    case_id: CaseArg,
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Folder to write into (created if missing).")],
    vault: VaultOpt = None,
    passphrase_stdin: StdinOpt = False,
) -> None:
    """Write one case out as files readable only by you: the conversation and findings (JSON Lines), the analysis
    (JSON), self-checks and plans.

    Example: bondlens vault export 3 --out ./case-3
    """
    with open_vault(vault, passphrase_stdin) as store:
        written = export_case(store, case_id, out)
    console = Console(highlight=False)
    for path in written:
        console.print(f"wrote {path}", markup=False)
    err_console.print(
        "These files are not encrypted: keep them somewhere safe, and delete them when you no longer need them.",
        markup=False,
        soft_wrap=True,
    )
