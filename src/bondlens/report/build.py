"""The report: one self-contained HTML file built from an analysis (and, only if the person chooses, a self-check).

>>> from bondlens import load_conversation
>>> from bondlens.detectors import detect
>>> conversation = load_conversation("examples/whatsapp_cycle.txt")  # doctest: +SKIP
>>> report = make_report(conversation, detect(conversation), me="Alex")  # doctest: +SKIP
>>> write_private(Path("notes.html"), report.html)  # doctest: +SKIP

Every message the report quotes links to its entry in the evidence appendix (see :mod:`.evidence`).
The HTML loads nothing: no fonts, scripts, images or URLs; the charts are inline SVG. The same analysis gives
the same bytes (no dates of making are written), so a report can be made again and compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import yaml
from markupsafe import Markup

from bondlens.analysis import Analysis, PeriodCounts, analyse
from bondlens.analysis.helplines import helplines
from bondlens.analysis.model import UNCLEAR, Evidence
from bondlens.analysis.summary import NOT_MEANING, found_lines, meaning_lines, quoted_evidence
from bondlens.model import Conversation, Finding
from bondlens.render import NEUTRAL_TITLE, render_html
from bondlens.report.charts import tactics_svg, timeline_svg
from bondlens.report.evidence import Appendix, build_appendix, label_name, manifest, manifest_json
from bondlens.selfcheck import SelfCheckResult
from bondlens.taxonomy import STAGES
from bondlens.taxonomy import labels as taxonomy_labels

TEMPLATE = "report.html"
NOTHING_FOUND_IS_NOT_PROOF = (
    "If little or nothing was found, that means nothing was found by these detectors, not that all is well: they "
    "recognise only some ways of writing, and you know your situation better than any tool."
)
EVIDENCE_NOTE = (
    "The messages quoted here are exactly as they are in the export, with their time and sender; the evidence "
    "appendix at the end lists each one with where it is in the file."
)


@dataclass(frozen=True)
class Report:
    """A finished report: the HTML, the appendix it quotes and the manifest over that appendix."""

    html: str
    appendix: Appendix
    manifest: dict[str, Any]

    @property
    def sha256(self) -> str:
        """The fingerprint of the evidence appendix (what `bondlens verify` checks)."""
        return str(self.manifest["sha256"])


@dataclass(frozen=True)
class NextStep:
    id: str
    title: str
    text: str
    source: str


@cache
def next_steps() -> tuple[NextStep, ...]:
    text = resources.files("bondlens.report").joinpath("data/next_steps.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return tuple(
        NextStep(str(s["id"]), str(s["title"]), " ".join(str(s["text"]).split()), str(s["source"]))
        for s in data["steps"]
    )


def _day(value: date | datetime) -> str:
    return f"{value.day} {value:%b %Y}"


def _when(value: datetime) -> str:
    return f"{value.day} {value:%b %Y, %H:%M}"


def _bondlens_version() -> str:
    try:
        return version("bondlens")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree that is not installed
        return "unknown"


class _Views:
    """Turns analysis results into the plain values the templates show."""

    def __init__(self, analysis: Analysis, appendix: Appendix) -> None:
        self.analysis = analysis
        self.appendix = appendix

    def who(self, participant_id: str | None) -> str:
        name = self.analysis.conversation.name(participant_id)
        return f"you ({name})" if participant_id == self.analysis.me else name

    def message(self, item: Evidence) -> dict[str, Any]:
        """One quoted message: the flagged words marked inside the whole, unaltered text."""
        start = item.text.find(item.quote) if item.quote else -1
        if start < 0:
            before, marked, after = item.text, "", ""
        else:
            end = start + len(item.quote)
            before, marked, after = item.text[:start], item.text[start:end], item.text[end:]
        ref = self.appendix.ref(item.message_id)
        return {
            "ref": ref,
            "anchor": ref.lower(),
            "when": _when(item.timestamp),
            "who": self.who(item.sender),
            "label": label_name(item.label),
            "before": before,
            "marked": marked,
            "after": after,
        }

    def messages(self, items: Iterable[Evidence]) -> list[dict[str, Any]]:
        return [self.message(i) for i in sorted(items, key=lambda e: (e.timestamp, e.message_id))]


def _stage_rows(analysis: Analysis) -> list[dict[str, Any]]:
    names = taxonomy_labels()
    rows = []
    for period in analysis.stages.periods:
        clear = period.stage != UNCLEAR
        rows.append(
            {
                "name": period.name,
                "stage": f"{STAGES.index(period.stage) + 1}. {names[period.stage].name}" if clear else "unclear",
                "confidence": f"{period.confidence:.2f}",
                "findings": period.findings,
                "explanation": period.explanation,
            }
        )
    return rows


def _speaker_rows(analysis: Analysis) -> list[dict[str, Any]]:
    order = sorted(analysis.speakers, key=lambda s: (not s.is_me, s.name))
    return [
        {
            "who": f"you ({s.name})" if s.is_me else s.name,
            "messages": s.messages,
            "harm": s.harm_count,
            "harm_rate": f"{s.harm_per_100_messages:.1f}",
            "reinforcement": s.reinforcement_count,
        }
        for s in order
    ]


def _scope_line(analysis: Analysis) -> str:
    info = analysis.conversation
    others = ", ".join(p.name for p in info.participants if p.id != analysis.me) or "no one else"
    count = f"{info.messages} message{'' if info.messages == 1 else 's'}"
    when = ""
    if info.first_timestamp is not None and info.last_timestamp is not None:
        when = f", {_day(info.first_timestamp)} to {_day(info.last_timestamp)}"
    return f"bondlens read {count} between you ({info.name(analysis.me)}) and {others}{when}."


def _cycles_view(analysis: Analysis, views: _Views) -> dict[str, Any]:
    pattern = analysis.pattern
    if pattern is None:
        return {"heading": "Cycles", "explanation": "", "cycles": [], "episodes": []}
    them = views.who(pattern.participant_id)
    cycles = [
        {
            "number": c.number,
            "title": f"Cycle {c.number}: {_day(c.start)}",
            "explanation": c.explanation,
            "harm": views.messages(c.harm.evidence),
            "harm_what": ", ".join(label_name(label) for label in c.harm.labels),
            "reinforcement": views.messages(c.reinforcement),
        }
        for c in pattern.cycles
    ]
    episodes = []
    if not cycles:
        for number, episode in enumerate(pattern.episodes, start=1):
            episodes.append(
                {
                    "title": f"Episode {number}: {_day(episode.start)}",
                    "explanation": episode.explanation,
                    "messages": views.messages(episode.evidence),
                }
            )
    heading = (
        "The cycles, with the messages"
        if cycles
        else "Harm, with the messages"
        if episodes
        else "Cycles of harm and making up"
    )
    return {
        "heading": heading,
        "explanation": pattern.explanation,
        "them": them,
        "cycles": cycles,
        "episodes": episodes,
        "trends": [pattern.intensity_trend.explanation, pattern.frequency_trend.explanation],
    }


def _signs_view(analysis: Analysis, views: _Views) -> list[dict[str, Any]]:
    names = taxonomy_labels()
    return [
        {
            "name": names[s.label].name if s.label in names else label_name(s.label),
            "definition": names[s.label].definition if s.label in names else "",
            "count": s.count,
            "rate": f"{s.per_100_messages:.1f}",
            "first": _day(s.first_seen),
            "last": _day(s.last_seen),
            "messages": views.messages(s.evidence),
        }
        for s in analysis.signs
    ]


def _gaps_view(analysis: Analysis, views: _Views) -> list[dict[str, Any]]:
    return [
        {
            "title": f"{_day(g.start)} to {_day(g.end)} ({g.days:.0f} days)",
            "explanation": g.explanation,
            "messages": views.messages([*g.leave_signals, *g.return_signals]),
        }
        for g in analysis.contact.gaps
        if g.kind == "leave_and_return"
    ]


def _help_view() -> dict[str, Any]:
    data = helplines()
    return {
        "emergency": [{"region": e.region, "number": e.number} for e in data.emergency],
        "hotlines": [{"region": h.region, "name": h.name, "contact": h.contact} for h in data.hotlines],
        "last_checked": data.last_checked,
        "steps": next_steps(),
    }


def _selfcheck_view(result: SelfCheckResult) -> dict[str, Any]:
    return {
        "taken_on": result.taken_on,
        "band_name": result.band_name,
        "summary": result.summary,
        "reasoning": result.reasoning,
        "score": result.score,
        "max_score": result.max_score,
        "signs": [{"name": s.name, "score": s.score, "max_score": s.max_score} for s in result.signs],
        "answers": [{"question": a.question, "answer": a.answer_text} for a in result.answers],
    }


def build_report(
    analysis: Analysis,
    weekly: Sequence[PeriodCounts],
    *,
    title: str = NEUTRAL_TITLE,
    selfcheck: SelfCheckResult | None = None,
) -> Report:
    """The report for ``analysis`` (its stages per month), with ``weekly`` (the same analysis per week) for the
    timeline chart. The self-check appears only when ``selfcheck`` is given."""
    quotes = quoted_evidence(analysis)
    appendix = build_appendix(analysis, quotes)
    views = _Views(analysis, appendix)
    pattern = analysis.pattern
    them_ids = {pattern.participant_id} if pattern is not None else set(_others(analysis))
    them_name = analysis.conversation.name(pattern.participant_id) if pattern is not None else "the other person"
    cycles = analysis.cycles
    timeline = timeline_svg(weekly, them_ids, them_name, cycles, analysis.contact.gaps, analysis.stages.periods)
    data = manifest(appendix)
    info = analysis.conversation
    context: dict[str, Any] = {
        "title": title or NEUTRAL_TITLE,
        "scope": _scope_line(analysis),
        "found": found_lines(analysis),
        "quotes": views.messages(quotes),
        "evidence_note": EVIDENCE_NOTE,
        "timeline_svg": Markup(timeline),
        "them_name": them_name,
        "weeks": len(weekly),
        "stage_rows": _stage_rows(analysis),
        "stage_method": analysis.stages.method,
        "gaps": _gaps_view(analysis, views),
        "tactics_svg": Markup(tactics_svg(analysis.speakers)),
        "speaker_rows": _speaker_rows(analysis),
        "asymmetry": analysis.asymmetry.explanation,
        "cycles": _cycles_view(analysis, views),
        "signs": _signs_view(analysis, views),
        "meaning": meaning_lines(analysis),
        "not_meaning": [*NOT_MEANING, NOTHING_FOUND_IS_NOT_PROOF, *analysis.notes],
        "help": _help_view(),
        "selfcheck": _selfcheck_view(selfcheck) if selfcheck is not None else None,
        "source": appendix.source,
        "entries": appendix.entries,
        "manifest_sha256": data["sha256"],
        "manifest_json": Markup(manifest_json(data)),
        "naive": info.naive_timestamps,
        "detectors": ", ".join(analysis.detectors) or "none",
        "version": _bondlens_version(),
        "window": _window(analysis),
    }
    return Report(render_html(TEMPLATE, **context), appendix, data)


def _others(analysis: Analysis) -> list[str]:
    return [p.id for p in analysis.conversation.participants if p.id != analysis.me]


def _window(analysis: Analysis) -> str:
    if analysis.since is None and analysis.until is None:
        return "the whole export"
    start = analysis.since.isoformat() if analysis.since else "the first message"
    end = analysis.until.isoformat() if analysis.until else "the last message"
    return f"{start} to {end}"


def make_report(
    conversation: Conversation,
    findings: Sequence[Finding],
    *,
    me: str,
    since: date | None = None,
    until: date | None = None,
    title: str = NEUTRAL_TITLE,
    selfcheck: SelfCheckResult | None = None,
) -> Report:
    """Analyse ``conversation`` (from ``findings`` of ``detect(conversation)``, without ``me``) and build the
    report. ``me`` is the participant id of the person it is for: it is never guessed."""
    analysis = analyse(conversation, findings, me=me, since=since, until=until)
    weekly = analyse(conversation, findings, me=me, since=since, until=until, period="week").timeline
    return build_report(analysis, weekly, title=title, selfcheck=selfcheck)
