"""`bondlens classify`: the learned model on a JSON Lines file of dialogues, one prediction per line."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from bondlens.cli.app import err_console, friendly_errors
from bondlens.errors import BondlensError

if TYPE_CHECKING:
    from bondlens.learned.batch import ClassifySummary
    from bondlens.scale import DaskSummary

DEFAULT_BATCH = 512  # dialogues per batch: bounded memory, and large enough for fast vectorised scoring
DEFAULT_PARTITION = 10_000  # dialogues per Dask partition (bondlens.scale.run.DEFAULT_PARTITION)
SHOWN_BAD = 10  # skipped bad lines listed one by one; the rest are counted


class Engine(StrEnum):
    plain = "plain"
    dask = "dask"


InputArg = Annotated[
    Path,
    typer.Argument(
        metavar="INPUT",
        help='JSON Lines file: one {"id": ..., "text": "Name: utterance\\nName: utterance ..."} object per line. '
        "With --engine dask also .jsonl.gz, or Parquet (.parquet) with columns id and text.",
    ),
]
OutputOpt = Annotated[
    Path,
    typer.Option(
        "--output",
        "-o",
        help="Where to write the predictions (JSON Lines, same order as the input, readable only by you). "
        "With --engine dask also .jsonl.gz or .parquet.",
    ),
]
BatchOpt = Annotated[int, typer.Option("--batch-size", min=1, help="Dialogues classified at a time (memory bound).")]
EngineOpt = Annotated[
    Engine, typer.Option("--engine", help="plain: this process; dask: partitions scored on a Dask cluster.")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="(dask) Connect to this Dask scheduler, e.g. tcp://10.0.0.5:8786, instead of starting workers here. "
        "Its workers must see INPUT and OUTPUT's folder at the same paths.",
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="(dask) Worker processes to start on this machine (default: one per core)."),
]
PartitionOpt = Annotated[
    int, typer.Option("--partition-size", min=1, help="(dask) Dialogues per partition (memory bound per task).")
]
SkipBadOpt = Annotated[
    bool, typer.Option("--skip-bad", help="(dask) Skip lines that are not {id, text} objects (listed and counted).")
]
ResumeOpt = Annotated[
    bool, typer.Option("--resume", help="(dask) Reuse the partitions an interrupted run with this output finished.")
]


def classify_command(
    input: InputArg,
    output: OutputOpt,
    batch_size: BatchOpt = DEFAULT_BATCH,
    engine: EngineOpt = Engine.plain,
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
    partition_size: PartitionOpt = DEFAULT_PARTITION,
    skip_bad: SkipBadOpt = False,
    resume: ResumeOpt = False,
) -> None:
    """Say for each dialogue whether it reads as manipulative, with techniques, vulnerabilities and tactics.

    A statistical model trained on film and TV dialogue (MentalManip, CC BY-NC 4.0); it runs offline.

    Each output line: {"schema_version", "id", "manipulative", "score", "techniques", "vulnerabilities", "tactics"},
    in input order.

    Example: bondlens classify dialogues.jsonl --output predictions.jsonl

    At scale: bondlens classify dialogues.jsonl.gz --engine dask --workers 8 --output predictions.parquet
    """
    if engine is Engine.dask:
        if batch_size != DEFAULT_BATCH:
            raise BondlensError("--batch-size: only with the plain engine (with dask, see --partition-size)")
        _dask_command(input, output, scheduler, workers, partition_size, skip_bad, resume)
        return
    given = [
        name
        for name, on in [
            ("--scheduler", scheduler),
            ("--workers", workers),
            ("--skip-bad", skip_bad),
            ("--resume", resume),
            ("--partition-size", partition_size != DEFAULT_PARTITION),
        ]
        if on
    ]
    if given:
        raise BondlensError(f"{', '.join(given)}: only with --engine dask")
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


def _dask_command(
    source: Path,
    target: Path,
    scheduler: str | None,
    workers: int | None,
    partition_size: int,
    skip_bad: bool,
    resume: bool,
) -> None:
    if scheduler and workers is not None:
        raise BondlensError("--workers: only without --scheduler (the cluster you connect to has its own workers)")
    summary = _dask_with_progress(source, target, scheduler, workers, partition_size, skip_bad, resume)
    for bad in summary.bad[:SHOWN_BAD]:
        err_console.print(f"skipped {bad.describe(source)}", markup=False, soft_wrap=True)
    lines = [
        f"classified {summary.dialogues:,} dialogues ({summary.messages:,} messages): "
        f"{summary.manipulative:,} read as manipulative; predictions in {target}",
        f"{summary.partitions:,} partitions on {summary.workers} workers"
        + (f", {summary.resumed:,} already done by the interrupted run (resumed)" if resume else "")
        + (
            f"; peak memory per worker {max(summary.worker_peak_memory) / 2**20:,.0f} MB"
            if summary.worker_peak_memory
            else ""
        ),
    ]
    if summary.skipped:
        lines.append(f"skipped {summary.skipped:,} bad lines (--skip-bad)")
    for line in lines:
        err_console.print(line, markup=False, soft_wrap=True)


def _dask_with_progress(
    source: Path,
    target: Path,
    scheduler: str | None,
    workers: int | None,
    partition_size: int,
    skip_bad: bool,
    resume: bool,
) -> DaskSummary:
    from bondlens.scale import classify_dask

    options = {
        "scheduler": scheduler,
        "workers": workers,
        "partition_size": partition_size,
        "skip_bad": skip_bad,
        "resume": resume,
    }
    if not err_console.is_terminal:
        return classify_dask(source, target, **options)  # type: ignore[arg-type]
    columns = (TextColumn("classifying {task.description}"), BarColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(source.name, total=None)

        def report(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        return classify_dask(source, target, progress=report, **options)  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    """Add `bondlens classify` to ``app``."""
    app.command("classify")(friendly_errors(classify_command))
