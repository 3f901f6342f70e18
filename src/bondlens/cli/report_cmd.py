"""`bondlens report`: the analysis as one self-contained HTML file (and a PDF of it), with an evidence appendix;
`bondlens verify`: check that appendix against its manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bondlens.cli.analyse_cmd import SinceOpt, UntilOpt, parse_day
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
from bondlens.render import NEUTRAL_TITLE, html_to_pdf, write_private
from bondlens.report import make_report, verify_file
from bondlens.selfcheck import load_result

DEFAULT_OUT = Path("notes.html")  # like the default title, the default name says nothing about what is inside
MAX_TITLE = 120
EXIT_CHANGED = 1

OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        metavar="FILE.html",
        help=f"Where to write the report (default: {DEFAULT_OUT} in this folder, never over an existing file).",
    ),
]
PdfOpt = Annotated[Path | None, typer.Option("--pdf", metavar="FILE.pdf", help="Also write the report as a PDF.")]
SelfCheckOpt = Annotated[
    Path | None,
    typer.Option(
        "--selfcheck",
        metavar="RESULT.json",
        help="Add your self-check (saved by `bondlens selfcheck --out`). Left out unless you give it.",
    ),
]
TitleOpt = Annotated[
    str | None,
    typer.Option("--title", help=f"The title inside the report. The default, {NEUTRAL_TITLE!r}, says nothing."),
]
ReportArg = Annotated[Path, typer.Argument(help="A report written by `bondlens report` (.html).")]


def _target(path: Path, option: str) -> None:
    """Fail before the slow work if the file could not be written there."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BondlensError(f"{option} {path}: is a folder; give a file name")
    if not folder.is_dir():
        raise BondlensError(f"{option} {path}: the folder {folder} does not exist")


def _title(title: str | None) -> str:
    if title is None:
        return NEUTRAL_TITLE
    tidy = " ".join(title.split())
    if not tidy:
        raise BondlensError("--title is empty; leave it out for the neutral title")
    if len(tidy) > MAX_TITLE:
        raise BondlensError(f"--title is longer than {MAX_TITLE} characters")
    return tidy


@app.command("report")
@friendly_errors
def report_command(
    file: FileArg,
    me: MeOpt = None,
    out: OutOpt = None,
    pdf: PdfOpt = None,
    selfcheck: SelfCheckOpt = None,
    title: TitleOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    format: FormatOpt = "auto",
    dayfirst: DayFirstOpt = False,
    monthfirst: MonthFirstOpt = False,
    chat: ChatOpt = None,
    max_size: MaxSizeOpt = "1GB",
) -> None:
    """Write a report you can keep, print or show someone: summary, charts, the cycles and signs with their
    messages, where to get help, and an evidence appendix that `bondlens verify` can check.

    Example: bondlens report "WhatsApp Chat with Sam.txt" --me Alex --out notes.html --pdf notes.pdf
    """
    heading = _title(title)
    first, last = parse_day("--since", since), parse_day("--until", until)
    if out is None:
        out = DEFAULT_OUT
        if out.exists():
            raise BondlensError(f"{out} already exists here; choose a file name with --out")
    _target(out, "--out")
    if pdf is not None:
        _target(pdf, "--pdf")
        if pdf.resolve() == out.resolve():
            raise BondlensError("--pdf and --out name the same file; give two different names")
    result = load_result(selfcheck) if selfcheck is not None else None  # only when the person chooses
    options = import_options(dayfirst, monthfirst, chat, "timestamp", "sender", "text", None, None, max_size)
    conversation = load_with_progress(file, format, options)
    me_id = resolve_me(conversation, me) if me is not None else None
    if me_id is None:
        raise BondlensError(
            "say which participant you are with --me, so bondlens knows which messages are yours "
            f"(participants: {participants_hint(conversation)}). "
            f'For example: bondlens report "{file}" --me "YOUR NAME AS SHOWN ABOVE"'
        )
    findings = detect(conversation)  # every message read for tactics and signs: both sides are compared
    report = make_report(conversation, findings, me=me_id, since=first, until=last, title=heading, selfcheck=result)
    write_private(out, report.html)
    written = [str(out)]
    if pdf is not None:
        html_to_pdf(report.html, pdf)
        written.append(str(pdf))
    err_console.print(f"wrote {' and '.join(written)} (readable only by you)", markup=False, soft_wrap=True)
    err_console.print(
        f"evidence fingerprint (SHA-256 of the appendix, {len(report.appendix.entries)} messages): {report.sha256}",
        markup=False,
        soft_wrap=True,
    )


@app.command("verify")
@friendly_errors
def verify_command(report: ReportArg) -> None:
    """Check that no message in a report's evidence appendix was changed since bondlens wrote it.

    Exit code 0 when everything matches, 1 when something changed (each change on its own line).

    Example: bondlens verify notes.html
    """
    result = verify_file(report)
    if result.ok:
        typer.echo(
            f"OK: {report}: the evidence appendix is unchanged ({result.entries} messages, SHA-256 {result.sha256})"
        )
        return
    typer.echo(f"CHANGED: {report}: the evidence appendix does not match its manifest")
    for problem in result.problems:
        typer.echo(f"  {problem}")
    raise typer.Exit(EXIT_CHANGED)
