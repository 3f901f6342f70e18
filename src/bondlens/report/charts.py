"""The report's pictures as inline SVG, drawn with matplotlib (no pyplot, no global state, Agg canvas).

Text stays text (``svg.fonttype = "none"``), so the charts use the document's font and stay sharp and
searchable. The SVG carries no date, no creator metadata, no XML declaration or DOCTYPE and no namespace
URLs; element ids come from a fixed salt per chart, so the same analysis always gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, DateFormatter, MonthLocator, date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from bondlens.analysis.model import UNCLEAR, ContactGap, Cycle, PeriodCounts, SpeakerProfile, StagePeriod
from bondlens.taxonomy import STAGES, TACTICS
from bondlens.taxonomy import labels as taxonomy_labels

WIDTH_IN = 6.7  # the text width of an A4 page with the report's margins: charts print at 1:1, text at 8 pt
FONT_PT = 8.0
INK = "#1d2430"
MUTED = "#5b6472"
GRID = "#d9dde3"
HARM = "#b5473a"
REPAIR = "#3f7f5f"
APART = "#e8ebf0"
PEOPLE = ("#2f5d8a", "#c27c2c", "#6b4c9a", "#4f8f8f", "#8a6d3b")  # you first, then the others
STAGE_COLOURS = {  # light to dark along the seven stages; "unclear" is white with a grey edge
    "love_bombing": "#f3e6c8",
    "trust_dependency": "#ead2a8",
    "criticism": "#e3b38a",
    "gaslighting": "#d68f73",
    "control": "#c46b62",
    "resignation": "#a8505a",
    "addiction": "#7f3b53",
}
DARK_STAGES = {"control", "resignation", "addiction"}
MM_PER_PT = 25.4 / 72

_STRIP = (
    re.compile(r"<\?xml[^>]*\?>\s*"),
    re.compile(r"<!DOCTYPE[^>]*>\s*", re.DOTALL),
    re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL),
    re.compile(r'\s+xmlns(?::\w+)?="[^"]*"'),
)


def _rc(salt: str) -> dict[Any, Any]:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": f"bondlens-{salt}",
        "font.family": "DejaVu Sans",
        "font.size": FONT_PT,
        "axes.edgecolor": MUTED,
        "axes.labelcolor": INK,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _svg(figure: Figure, description: str) -> str:
    """``figure`` as an inline ``<svg>`` element with no metadata, namespaces or URLs."""
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = out.getvalue()
    for pattern in _STRIP:
        text = pattern.sub("", text)
    text = text.replace("xlink:href=", "href=")
    label = description.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return text.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1).strip()


def _day_num(value: date | datetime) -> float:
    return float(date2num(value))  # type: ignore[no-untyped-call]


def _fits(text: str, width_mm: float, size_pt: float) -> bool:
    return len(text) * 0.58 * size_pt * MM_PER_PT <= width_mm - 1.0


def timeline_svg(
    weeks: Sequence[PeriodCounts],
    them: Collection[str],
    them_name: str,
    cycles: Sequence[Cycle],
    gaps: Sequence[ContactGap],
    stages: Sequence[StagePeriod],
) -> str:
    """Harm and reinforcement in the other person's messages per week, the cycle starts, the time apart,
    and below it the stage band (one estimate per month)."""
    starts = [w.start for w in weeks]
    harm = [sum(n for person, n in w.harm if person in them) for w in weeks]
    repair = [sum(n for person, n in w.reinforcement if person in them) for w in weeks]
    with rc_context(_rc("timeline")):
        figure = Figure(figsize=(WIDTH_IN, 3.5))
        FigureCanvasAgg(figure)
        grid = figure.add_gridspec(2, 1, height_ratios=(6, 1), hspace=0.12, left=0.08, right=0.99, top=0.84)
        axes = figure.add_subplot(grid[0])
        band = figure.add_subplot(grid[1], sharex=axes)
        centres = [_day_num(s) + 3.5 for s in starts]
        axes.bar([c - 1.55 for c in centres], harm, width=3.0, color=HARM, zorder=2)
        axes.bar([c + 1.55 for c in centres], repair, width=3.0, color=REPAIR, zorder=2)
        top = max([*harm, *repair, 1])
        axes.set_ylim(0, top * 1.28 + 0.5)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", color=GRID, linewidth=0.5, zorder=0)
        axes.set_ylabel("flagged messages\nper week")
        axes.tick_params(axis="x", labelbottom=False)
        for gap in gaps:
            if gap.kind == "leave_and_return":
                axes.axvspan(_day_num(gap.start), _day_num(gap.end), color=APART, zorder=1, linewidth=0)
        left, right = (_day_num(starts[0]), _day_num(starts[-1]) + 7) if starts else (0.0, 7.0)
        span_days = max(right - left, 7.0)
        label_days = span_days * 4.5 / (WIDTH_IN * 25.4 * 0.91)  # about 4.5 mm of axis per number
        rows: list[float] = []
        for cycle in cycles:
            x = _day_num(cycle.start)
            axes.axvline(x, color=INK, linewidth=0.6, linestyle=(0, (2, 2)), zorder=3)
            row = next((i for i, last in enumerate(rows) if x - last >= label_days), len(rows))
            if row == len(rows):
                rows.append(x)
            rows[row] = x
            axes.annotate(
                str(cycle.number),
                xy=(x, 1.0 - 0.09 * row),
                xycoords=("data", "axes fraction"),
                ha="center",
                va="top",
                fontsize=7,
                color=INK,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": INK, "linewidth": 0.5},
                zorder=4,
            )
        axes.set_xlim(left, right)
        _stage_band(band, stages)
        monthly = span_days > 50
        locator = MonthLocator() if monthly else AutoDateLocator()  # type: ignore[no-untyped-call]
        band.xaxis.set_major_locator(locator)
        band.xaxis.set_major_formatter(DateFormatter("%b %Y" if monthly else "%d %b"))  # type: ignore[no-untyped-call]
        handles = [
            Patch(color=HARM, label=f"harm in {them_name}'s messages"),
            Patch(color=REPAIR, label="apology, affection, promises"),
            Line2D([], [], color=INK, linewidth=0.6, linestyle=(0, (2, 2)), label="a cycle starts (its number)"),
        ]
        if any(g.kind == "leave_and_return" for g in gaps):
            handles.append(Patch(color=APART, label="time apart"))
        figure.legend(handles=handles, loc="upper left", ncols=2, frameon=False, bbox_to_anchor=(0.07, 1.0))
        return _svg(
            figure,
            f"Bar chart per week: harm and reinforcement in {them_name}'s messages, the {len(cycles)} cycle starts, "
            "and the estimated stage per month.",
        )


def _stage_band(band: Axes, stages: Sequence[StagePeriod]) -> None:
    names = taxonomy_labels()
    band.set_ylim(0, 1)
    band.set_yticks([])
    band.set_ylabel("stage", rotation=0, ha="right", va="center")
    band.spines["left"].set_visible(False)
    left, right = band.get_xlim()
    axis_mm = WIDTH_IN * 25.4 * 0.91
    for period in stages:
        start = _day_num(period.start)
        end = _day_num(period.end + timedelta(days=1))
        clear = period.stage != UNCLEAR
        colour = STAGE_COLOURS.get(period.stage, "white") if clear else "white"
        band.axvspan(start, end, ymin=0.08, ymax=0.92, facecolor=colour, edgecolor=GRID, linewidth=0.6)
        if clear:
            number = STAGES.index(period.stage) + 1
            text = f"{number} {names[period.stage].name}"
        else:
            text = "unclear"
        shown_start, shown_end = max(start, left), min(end, right)
        width_mm = (shown_end - shown_start) / max(right - left, 1.0) * axis_mm
        if not _fits(text, width_mm, 7):
            text = text.split(" ")[0] if clear else "?"
        if _fits(text, width_mm, 7):
            band.text(
                (shown_start + shown_end) / 2,
                0.5,
                text,
                ha="center",
                va="center",
                fontsize=7,
                color="white" if period.stage in DARK_STAGES else INK,
                clip_on=True,
            )


def tactics_svg(speakers: Sequence[SpeakerProfile]) -> str:
    """Per person, how often each tactic was flagged per 100 of their messages (the count at the bar's end)."""
    names = taxonomy_labels()
    order = sorted(speakers, key=lambda s: (not s.is_me, s.name))
    tactics = list(TACTICS)
    rows = len(tactics)
    with rc_context(_rc("tactics")):
        tall = 0.9 + 0.3 * rows
        figure = Figure(figsize=(WIDTH_IN, tall))
        FigureCanvasAgg(figure)
        axes = figure.add_axes((0.3, 0.5 / tall, 0.66, 0.3 * rows / tall))
        height = 0.8 / max(len(order), 1)
        widest = 0.0
        for index, speaker in enumerate(order):
            rates = {r.label: r for r in speaker.tactics}
            values = [rates[t].per_100_messages if t in rates else 0.0 for t in tactics]
            counts = [rates[t].count if t in rates else 0 for t in tactics]
            widest = max(widest, *values)
            ys = [rows - 1 - i + 0.4 - height * (index + 0.5) for i in range(rows)]
            label = f"you ({speaker.name})" if speaker.is_me else speaker.name
            axes.barh(
                ys,
                values,
                height=height * 0.9,
                color=PEOPLE[index % len(PEOPLE)],
                label=f"{label}, {speaker.messages} messages",
            )
            for y, value, count in zip(ys, values, counts, strict=True):
                if count:
                    axes.text(value, y, f" {count}", va="center", ha="left", fontsize=7, color=INK)
        axes.set_yticks([rows - 1 - i for i in range(rows)], [names[t].name for t in tactics])
        axes.set_xlim(0, max(widest * 1.15, 1.0))
        axes.set_ylim(-0.6, rows - 0.4)
        axes.grid(axis="x", color=GRID, linewidth=0.5)
        axes.set_axisbelow(True)
        axes.set_xlabel("flagged messages per 100 of that person's messages (the number: how many)")
        axes.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(order), frameon=False, borderaxespad=0.3)
        return _svg(figure, "Bar chart: how often each tactic was flagged in each person's messages.")
