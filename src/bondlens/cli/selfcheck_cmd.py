"""`bondlens selfcheck`: a private questionnaire about the signs, scored into an indication band, never a diagnosis.

Interactive by default (one question at a time); `--answers FILE` reads the answers from a file instead. The
result is written only with `--out`, readable only by the person; stopping early writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from bondlens.cli.app import app, err_console, friendly_errors
from bondlens.errors import BondlensError
from bondlens.render import write_private
from bondlens.selfcheck.answers import read_answers
from bondlens.selfcheck.scoring import score
from bondlens.selfcheck.terminal import Stopped, ask_all, first_screen, render_result

EXIT_INTERRUPTED = 130
EXIT_INPUT_ENDED = 1
STOPPED = "Stopped: nothing was saved, and your answers were not kept."

AnswersOpt = Annotated[
    Path | None,
    typer.Option(
        "--answers",
        metavar="FILE",
        help="Read the answers from a YAML or JSON file (question id -> 0 never, 1 sometimes, 2 often, 3 very often, "
        'or "skip") instead of asking.',
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        metavar="RESULT.json",
        help="Save the result to this file, readable only by you (for `bondlens report --selfcheck`). "
        "Without it nothing is saved.",
    ),
]


def check_out(out: Path | None) -> None:
    """Refuse an --out that cannot be written before any question is asked, so no answers are lost."""
    if out is None:
        return
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise BondlensError(f"{out}: the folder {folder} does not exist")
    if out.is_dir():
        raise BondlensError(f"{out}: is a folder; give a file name such as {out / 'result.json'}")


@app.command("selfcheck")
@friendly_errors
def selfcheck_command(answers: AnswersOpt = None, out: OutOpt = None) -> None:
    """A private self-check: questions about the signs of a trauma bond, one at a time, and an indication band
    with its reasoning (never a diagnosis). Nothing is saved unless you pass --out.

    Example: bondlens selfcheck --out result.json
    """
    check_out(out)
    console = Console(highlight=False)
    if answers is not None:
        given = read_answers(answers)
        interactive = False
    else:

        def ask(prompt: str) -> str:
            return console.input(Text(prompt, style="bold"))

        try:
            first_screen(console, ask, out)
            given = ask_all(console, ask)
        except Stopped:
            console.print()
            console.print(Text(STOPPED))
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            err_console.print()
            err_console.print(STOPPED, markup=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except EOFError:
            err_console.print()
            err_console.print(f"The input ended before the last question. {STOPPED}", markup=False)
            raise typer.Exit(EXIT_INPUT_ENDED) from None
        interactive = True
    result = score(given)
    if out is not None:
        write_private(out, result.to_json())
    if interactive and console.is_terminal:
        console.clear()
    render_result(result, console, warning=True, saved_to=out)
