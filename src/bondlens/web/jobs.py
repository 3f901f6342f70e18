"""Reading an upload and analysing it, with progress a page can show.

Import happens while the upload request waits (it is fast: a quarter of a million messages a second);
detection and analysis, which take longer, run in a worker thread and record their progress in the case's
:class:`~bondlens.web.sessions.Progress`, which the progress page polls.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from bondlens.analysis import Analysis, PeriodCounts, analyse
from bondlens.detectors import Detector, default_detectors, detect
from bondlens.errors import BondlensError, ImportFormatError
from bondlens.importers import ImportOptions, load_conversation
from bondlens.model import Conversation, Finding
from bondlens.report.charts import tactics_svg, timeline_svg
from bondlens.web.sessions import Case, Progress

DETECT_MESSAGES_PER_SECOND = 25_000.0  # each default detector on one core (README, measured figures)
MODEL_LOAD_SECONDS = 8.0  # loading the detectors (scikit-learn, the message model) the first time
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")

# The importers' messages speak of command-line options; on the page, the same choices are form fields.
_FOR_THE_PAGE: tuple[tuple[str, str], ...] = (
    (
        "run `bondlens formats` to see what it reads, or name the format with --format",
        'see "Formats bondlens reads" below, or choose the format under "More options"',
    ),
    (
        "rerun with --dayfirst (03/04 is 3 April) or --monthfirst (03/04 is March 4)",
        'choose the date order under "More options" (03/04 as 3 April, or as March 4) and upload it again',
    ),
    ("raise the limit with --max-size", "start bondlens with a larger limit: bondlens serve --max-size 1GB"),
    ("rerun with --monthfirst (or without --dayfirst)", 'choose "month first" under "More options"'),
    ("rerun with --dayfirst (or without --monthfirst)", 'choose "day first" under "More options"'),
    ("--dayfirst", '"day first"'),
    ("--monthfirst", '"month first"'),
    ("--chat", 'the "Which chat" field under "More options"'),
    ("--format", 'the format under "More options"'),
)


def safe_filename(name: str | None) -> str:
    """The upload's own name, reduced to harmless characters (keeps the extension the importers look at)."""
    base = Path((name or "").replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).strip(" .")[:120]
    return cleaned or "chat.txt"


def page_message(error: BondlensError, temporary: Path, filename: str) -> str:
    """A BondlensError as one line for the page: the uploaded file's own name, and form fields for options."""
    if isinstance(error, ImportFormatError) and Path(error.path) in (temporary, temporary.parent):
        text = f"{filename}{'' if error.line is None else f' (line {error.line})'}: {error.reason}"
    else:
        text = str(error).replace(str(temporary), filename).replace(str(temporary.parent), "the upload")
    for cli, page in _FOR_THE_PAGE:
        text = text.replace(cli, page)
    return text


def read_upload(data_path: Path, filename: str, options: ImportOptions, fmt: str = "auto") -> Conversation:
    """Import the uploaded file at ``data_path``; the conversation records ``filename``, not the temporary path."""
    conversation = load_conversation(data_path, fmt, options)
    source = replace(conversation.source, path=filename)
    return Conversation(
        format=conversation.format,
        source=source,
        participants=conversation.participants,
        messages=conversation.messages,
        naive_timestamps=conversation.naive_timestamps,
        title=conversation.title,
        warnings=conversation.warnings,
    )


class PrivateUpload:
    """A folder only this user can read, holding the upload while it is imported, and removed right after."""

    def __init__(self, filename: str) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="bondlens-"))  # mode 0700
        self.path = self.directory / filename

    def __enter__(self) -> PrivateUpload:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def expected_seconds(messages: int) -> float:
    """How long one detector may take on ``messages`` messages (for the progress estimate only)."""
    return messages / DETECT_MESSAGES_PER_SECOND


def draw_charts(analysis: Analysis, weekly: tuple[PeriodCounts, ...]) -> dict[str, str]:
    """The report's charts (:mod:`bondlens.report.charts`) for the analysis page, as standalone SVG documents."""
    pattern = analysis.pattern
    if pattern is not None:
        them, them_name = {pattern.participant_id}, analysis.conversation.name(pattern.participant_id)
    else:
        them, them_name = {p.id for p in analysis.conversation.participants if p.id != analysis.me}, "the other person"
    timeline = timeline_svg(weekly, them, them_name, analysis.cycles, analysis.contact.gaps, analysis.stages.periods)
    return {"timeline": standalone_svg(timeline), "tactics": standalone_svg(tactics_svg(analysis.speakers))}


def standalone_svg(inline: str) -> str:
    """An inline ``<svg>`` element (as the report embeds it) as a document a browser shows as an image."""
    if "xmlns=" in inline[: inline.find(">")]:
        return inline
    return inline.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)


def svg_description(svg: str) -> str:
    """The chart's own description (its aria-label), for the image's alt text."""
    match = re.search(r'aria-label="([^"]*)"', svg)
    return html.unescape(match[1]) if match else "A chart"


def restore(case: Case, me: str, findings: Sequence[Finding]) -> None:
    """The analysis of a case opened from the vault, from its stored conversation and findings (no detector runs:
    this takes a moment, not minutes)."""
    analysis = analyse(case.conversation, findings, me=me)
    weekly = analyse(case.conversation, findings, me=me, period="week").timeline
    case.me, case.findings = me, tuple(findings)
    case.progress = Progress(state="done", step=1, steps=1, stage="Done")
    case.analysis, case.weekly, case.charts = analysis, weekly, draw_charts(analysis, weekly)


class _Reporting:
    """A detector that records in ``progress`` when it starts (detectors report nothing while they run)."""

    def __init__(self, inner: Detector, progress: Progress, step: int, steps: int, seconds: float) -> None:
        self.name, self.version, self.labels = inner.name, inner.version, inner.labels
        self._inner, self._progress, self._step, self._steps, self._seconds = inner, progress, step, steps, seconds

    def detect(self, conversation: Conversation, *, me: str | None = None) -> list[Finding]:
        self._progress.enter(
            self._step, self._steps, f"Reading every message ({self._step - 1} of {self._steps - 2})", self._seconds
        )
        return self._inner.detect(conversation, me=me)


class Analyser:
    """Runs analyses one at a time in a worker thread, with the detectors loaded once and reused.

    Loading the detectors (the message model above all) takes a few seconds: :meth:`warm_up` does it in the
    background when the server starts, so the first analysis does not wait for it."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bondlens-analyse")
        self._detectors: list[Detector] | None = None

    def warm_up(self) -> None:
        self._pool.submit(self._load)

    def _load(self) -> list[Detector]:
        if self._detectors is None:
            self._detectors = default_detectors()
        return self._detectors

    def start(self, case: Case, me: str) -> None:
        case.me, case.analysis, case.weekly = me, None, ()
        case.progress = Progress(stage="Starting")
        self._pool.submit(self.run, case, me, case.progress)

    def run(self, case: Case, me: str, progress: Progress) -> None:
        conversation = case.conversation
        messages = len(conversation.messages)
        try:
            progress.enter(1, 4, "Getting ready", 0.5 if self._detectors is not None else MODEL_LOAD_SECONDS)
            detectors = self._load()
            steps = len(detectors) + 2
            reporting = [
                _Reporting(d, progress, number, steps, expected_seconds(messages))
                for number, d in enumerate(detectors, start=2)
            ]
            findings = detect(conversation, reporting)  # every message read for tactics and signs, as the CLI does
            progress.enter(steps, steps, "Putting the picture together", max(messages / 50_000, 0.5))
            analysis = analyse(conversation, findings, me=me)
            weekly = analyse(conversation, findings, me=me, period="week").timeline
            charts = draw_charts(analysis, weekly)
        except BondlensError as exc:
            progress.state, progress.error = "failed", str(exc)
            return
        except Exception as exc:  # a bug of ours: say so on the page, in one line
            progress.state = "failed"
            progress.error = f"Something went wrong in bondlens ({type(exc).__name__}). This is a bug, not your file."
            return
        if case.progress is progress and case.me == me:  # not restarted meanwhile
            case.analysis, case.weekly, case.charts, case.findings = analysis, weekly, charts, tuple(findings)
            progress.state = "done"

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
