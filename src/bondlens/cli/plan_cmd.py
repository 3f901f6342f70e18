"""`bondlens plan`: a safety and exit plan, written as HTML (and PDF), from questions asked here or an answers file.

Nothing is written until the end: Ctrl-C or the end of the input stops without leaving a file anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from bondlens.cli.app import app, err_console, friendly_errors
from bondlens.errors import BondlensError
from bondlens.plan import Answers, Step, build_plan, check_title, load_answers, load_resources, load_steps, render_plan
from bondlens.render import NEUTRAL_TITLE, html_to_pdf, write_private

EXIT_STOPPED = 130  # as for Ctrl-C in a shell

AnswersOpt = Annotated[
    Path | None,
    typer.Option(
        "--answers",
        metavar="FILE",
        help="Your notes as YAML or JSON (step id: text or list of texts) instead of the questions. "
        "Steps: support, safe_place, documents_money, contact, timing, professional, self_care.",
    ),
]
CountryOpt = Annotated[
    str | None,
    typer.Option(
        "--country",
        metavar="CODE",
        help="Whose help numbers to include: US, UK, CA, AU, IE, NZ or EU (EU and elsewhere, the default).",
    ),
]
OutOpt = Annotated[Path, typer.Option("--out", metavar="FILE.html", help="Where to write the plan (HTML).")]
PdfOpt = Annotated[Path | None, typer.Option("--pdf", metavar="FILE.pdf", help="Also write the plan as a PDF.")]
TitleOpt = Annotated[
    str,
    typer.Option(
        "--title", metavar="TEXT", help="The title inside the document. The default says nothing about what it is."
    ),
]

INTRO = (
    "Before you start: someone may be able to see what is on this device. If that worries you, make this plan "
    "on a device they cannot reach.\n\n"
    "Every question is optional: press Enter on an empty line to go on. Nothing is saved until the last step; "
    "press Ctrl-C at any time to stop without saving anything.\n\n"
    "In danger now: call your local emergency number (911 US and Canada, 999 UK, 112 EU, 000 Australia, "
    "111 New Zealand)."
)


def check_target(path: Path, option: str) -> None:
    """Fail before any question is asked if the file could not be written there."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BondlensError(f"{option} {path}: is a folder; give a file name")
    if not folder.is_dir():
        raise BondlensError(f"{option} {path}: the folder {folder} does not exist")


def ask_country(console: Console) -> str | None:
    resources = load_resources()
    codes = ", ".join(c.code for c in resources.countries if c.code != resources.default)
    while True:
        console.print(
            Text(f"Which country's help numbers should the plan list? {codes}, or Enter for the EU and elsewhere.")
        )
        answer = console.input("country> ").strip()
        if not answer:
            return None
        try:
            resources.country(answer)
        except BondlensError as exc:
            console.print(Text(str(exc)))
            continue
        return answer


def ask_step(console: Console, step: Step, number: int, total: int) -> tuple[str, ...]:
    console.rule(Text(f"Step {number} of {total}: {step.title}"))
    console.print(Text(step.why))
    if step.caution:
        console.print(Text(f"Careful: {step.caution}", style="bold"))
    for question in step.prompts:
        console.print(Text(f"  - {question}"))
    console.print(Text("Your notes, one line at a time (an empty line goes on):", style="dim"))
    notes: list[str] = []
    while True:
        line = console.input("> ").strip()
        if not line:
            return tuple(notes)
        notes.append(line)


def ask_answers(console: Console, country: str | None) -> tuple[Answers, str | None]:
    """Ask every step's questions; raises KeyboardInterrupt or EOFError when the person stops."""
    console.print(Panel(Text(INTRO), title="Notes", expand=False))
    if country is None:
        country = ask_country(console)
    steps = load_steps()
    answers = {step.id: ask_step(console, step, n, len(steps)) for n, step in enumerate(steps, 1)}
    return answers, country


@app.command("plan")
@friendly_errors
def plan_command(
    out: OutOpt,
    answers_file: AnswersOpt = None,
    country: CountryOpt = None,
    pdf: PdfOpt = None,
    title: TitleOpt = NEUTRAL_TITLE,
) -> None:
    """Build a safety and exit plan: people who can help, a safe place, documents and money, less contact,
    timing, professional help and self-care, with help numbers for your country.

    Asks a few questions per step (each optional), or reads your notes from --answers. Writes only the files
    you name, readable only by you. Ctrl-C stops without writing anything.

    Example: bondlens plan --country UK --out notes.html --pdf notes.pdf
    """
    title = check_title(title)
    check_target(out, "--out")
    if pdf is not None:
        check_target(pdf, "--pdf")
        if pdf.resolve() == out.resolve():
            raise BondlensError("--pdf and --out name the same file; give two different names")
    if country is not None:
        load_resources().country(country)  # an unknown country stops here, before any question
    if answers_file is not None:
        answers = load_answers(answers_file)
    else:
        console = Console(highlight=False)
        try:
            answers, country = ask_answers(console, country)
        except KeyboardInterrupt:
            err_console.print("\nstopped: nothing was written", markup=False)
            raise typer.Exit(EXIT_STOPPED) from None
        except EOFError:
            err_console.print("\nthe input ended before the last step: nothing was written", markup=False)
            raise typer.Exit(1) from None
    plan = build_plan(answers, country)
    html = render_plan(plan, title)
    write_private(out, html)
    written = [str(out)]
    if pdf is not None:
        html_to_pdf(html, pdf)
        written.append(str(pdf))
    err_console.print(
        f"wrote {' and '.join(written)} (readable only by you); help numbers for {plan.country.name}",
        markup=False,
        soft_wrap=True,
    )
