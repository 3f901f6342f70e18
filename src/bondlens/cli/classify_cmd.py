"""`bondlens classify`: the learned model on a JSON Lines file of dialogues, one prediction per line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from bondlens.cli.app import err_console, friendly_errors

if TYPE_CHECKING:
    from bondlens.learned.batch import ClassifySummary

DEFAULT_BATCH = 512  # dialogues per batch: bounded memory, and large enough for fast vectorised scoring

InputArg = Annotated[
    Path,
    typer.Argument(
        metavar="INPUT.jsonl",
        help='JSON Lines file: one {"id": ..., "text": "Name: utterance\\nName: utterance ..."} object per line.',
    ),
]
OutputOpt = Annotated[
    Path,
    typer.Option(
        "--output",
        "-o",
        help="Where to write the predictions (JSON Lines, same order as the input, readable only by you).",
    ),
]
BatchOpt = Annotated[int, typer.Option("--batch-size", min=1, help="Dialogues classified at a time (memory bound).")]


def classify_command(input: InputArg, output: OutputOpt, batch_size: BatchOpt = DEFAULT_BATCH) -> None:
    """Say for each dialogue whether it reads as manipulative, with techniques, vulnerabilities and tactics.

    A statistical model trained on film and TV dialogue (MentalManip, CC BY-NC 4.0); it runs offline.

    Each output line: {"id", "manipulative", "score", "techniques", "vulnerabilities", "tactics"}, in input order.

    Example: bondlens classify dialogues.jsonl --output predictions.jsonl
    """
    summary = _classify_with_progress(input, output, batch_size)
    err_console.print(
        f"classified {summary.dialogues:,} dialogues ({summary.messages:,} messages): "
        f"{summary.manipulative:,} read as manipulative; predictions in {output}",
        markup=False,
        soft_wrap=True,
    )


def _classify_with_progress(source: Path, target: Path, batch_size: int) -> ClassifySummary:
    # imported here: the model's libraries (scikit-learn, skops) load only for this command, not for every command
    from bondlens.learned.batch import classify_jsonl

    if not err_console.is_terminal:
        return classify_jsonl(source, target, batch_size=batch_size)
    try:
        size = source.stat().st_size
    except OSError:
        size = 0
    columns = (TextColumn("classifying {task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(source.name, total=size or None)

        def report(done: int) -> None:
            progress.update(task, completed=done)

        return classify_jsonl(source, target, batch_size=batch_size, progress=report)


def register(app: typer.Typer) -> None:
    """Add `bondlens classify` to ``app``."""
    app.command("classify")(friendly_errors(classify_command))
