"""The terminal summary: what was found, the evidence, what it may mean, what it does not, where to get help.

Written to be read in about a minute, in plain and kind words. It describes behaviour in messages and never
labels people. It opens with the warning that the device may be monitored, and always ends with where to
get help, whatever was found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bondlens.analysis.helplines import helplines
from bondlens.analysis.model import UNCLEAR, Analysis, CyclePattern, Evidence, Trend
from bondlens.taxonomy import labels as taxonomy_labels

MONITORING_WARNING = (
    "Safety first: if someone else can get into this device or its accounts, they may be able to see what you "
    "do here. If that worries you, use a device they cannot reach, such as a trusted friend's or a library "
    "computer."
)
NOT_MEANING = (
    "This is an indication, not a diagnosis. It describes words in messages; it does not decide what anyone is.",
    "The tool can be wrong: it can miss things, and it can flag words that were meant differently.",
    "Only the messages were read: not calls, voice notes, tone of voice, or what happened in person.",
)
MAX_QUOTES = 5
QUOTE_CHARS = 160


def _day(value: datetime) -> str:
    return f"{value.day} {value:%b %Y}"


def _heading(console: Console, text: str) -> None:
    console.print()
    console.print(Text(text, style="bold"))


def _bullets(console: Console, lines: Iterable[str]) -> None:
    """Bullet points with a hanging indent, so wrapped lines stay readable."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for line in lines:
        grid.add_row("  •", Text(line))
    console.print(grid)


def _name(analysis: Analysis, participant_id: str | None) -> str:
    return "you" if participant_id == analysis.me else analysis.conversation.name(participant_id)


def label_words(label: str) -> str:
    names = taxonomy_labels()
    if label in names:
        return names[label].name.lower()
    if label.startswith("leave."):
        return "words about leaving"
    if label.startswith("return."):
        return "words about coming back"
    return label.replace("_", " ")


def _trend_words(trend: Trend, rising: str, falling: str) -> str | None:
    if trend.direction == "escalating":
        return f"{rising} (trend test: {100 * (trend.confidence or 0):.0f}% confidence)"
    if trend.direction == "de_escalating":
        return f"{falling} (trend test: {100 * (trend.confidence or 0):.0f}% confidence)"
    return None


def _pattern_lines(analysis: Analysis, pattern: CyclePattern) -> list[str]:
    them = _name(analysis, pattern.participant_id)
    lines: list[str] = []
    if pattern.status == "cycle":
        first, last = pattern.cycles[0].start, pattern.cycles[-1].start
        text = (
            f"A repeating pattern in {them}'s messages: harm, then apology, affection or promises, then harm "
            f"again. It happened {len(pattern.cycles)} times between {_day(first)} and {_day(last)}"
        )
        if pattern.median_period_days is not None:
            text += f", typically {pattern.median_period_days:.0f} days apart"
        lines.append(text + ".")
    elif pattern.status == "harm_without_reconciliation":
        lines.append(
            f"{len(pattern.episodes)} episode(s) of hurtful or controlling messages from {them}, with no apology "
            "or affection after them."
        )
    elif pattern.status == "single_sequence":
        lines.append(pattern.explanation)
    elif pattern.status == "mutual_conflict":
        lines.append(
            f"Hurtful messages on both sides: in most of the {len(pattern.episodes)} episodes of harm, both of "
            "you wrote things that hurt. That looks like conflict on both sides, not a one-sided cycle."
        )
    for words in (
        _trend_words(pattern.intensity_trend, "The harm is getting more intense over time", "The harm is easing"),
        _trend_words(
            pattern.frequency_trend,
            "The episodes are coming closer together",
            "The episodes are coming further apart",
        ),
    ):
        if words:
            lines.append(words + ".")
    return lines


def found_lines(analysis: Analysis) -> list[str]:
    lines: list[str] = []
    pattern = analysis.pattern
    if pattern is not None:
        lines.extend(_pattern_lines(analysis, pattern))
    balance = analysis.asymmetry
    if balance.direction != "little_harm":
        speakers = {p.participant_id: p for p in analysis.speakers}
        mine = speakers[analysis.me]
        theirs = speakers.get(balance.them or "")
        if theirs is not None:
            lines.append(
                f"Hurtful or controlling words were flagged {_times(theirs.harm_count)} in {theirs.name}'s messages "
                f"({theirs.harm_per_100_messages:.1f} per 100 messages) and {_times(mine.harm_count)} in yours "
                f"({mine.harm_per_100_messages:.1f} per 100)."
            )
    for gap in analysis.contact.gaps:
        if gap.kind != "leave_and_return":
            continue
        text = f"Time apart: no messages from {_day(gap.start)} to {_day(gap.end)} ({gap.days:.0f} days)"
        if gap.leave_signals:
            text += f', after "{gap.leave_signals[-1].quote}"'
        if gap.return_signals:
            text += f'; then "{gap.return_signals[0].quote}"'
        lines.append(text + ". This looks like an attempt to leave and a return.")
    if analysis.signs:
        shown = ", ".join(f"{label_words(s.label)} ({s.count})" for s in analysis.signs[:4])
        lines.append(f"In your own messages: {shown}.")
    known = [p for p in analysis.stages.periods if p.stage != UNCLEAR]
    if known:
        latest = known[-1]
        names = taxonomy_labels()
        path = [known[0].stage, *(t.to_stage for t in analysis.stages.transitions)]
        route = " → ".join(names[s].name for s in path[-4:])
        lines.append(
            f'Stage estimate for {latest.name}: most like "{names[latest.stage].name}" '
            f"(confidence {latest.confidence:.2f}). Over time: {route}."
        )
    if not lines:
        lines.append("The detectors found no pattern of harm in these messages.")
    return lines


def quoted_evidence(analysis: Analysis) -> list[Evidence]:
    chosen: list[Evidence] = []
    pattern = analysis.pattern

    def add(items: Iterable[Evidence], limit: int = 1) -> None:
        taken = 0
        for item in sorted(items, key=lambda e: -(e.score or 0.0)):
            if taken == limit or len(chosen) == MAX_QUOTES:
                return
            if all(item.message_id != c.message_id for c in chosen):
                chosen.append(item)
                taken += 1

    if pattern is not None and pattern.cycles:
        first = pattern.cycles[0]
        add(first.harm.evidence)
        add(first.reinforcement[:1])
        add(pattern.cycles[-1].harm.evidence)  # the latest harm, to show where it has gone
    elif pattern is not None:
        for episode in sorted(pattern.episodes, key=lambda e: -e.intensity)[:3]:
            add(episode.evidence)
    for gap in analysis.contact.gaps:
        if gap.kind == "leave_and_return":
            add(gap.return_signals)
    for sign in analysis.signs[:1]:
        add(sign.evidence)
    return sorted(chosen, key=lambda e: e.timestamp)


def _print_quotes(console: Console, analysis: Analysis, quotes: Sequence[Evidence]) -> None:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="dim")
    grid.add_column()
    for item in quotes:
        text = " ".join(item.text.split())
        if len(text) > QUOTE_CHARS:
            text = text[: QUOTE_CHARS - 1] + "…"
        line = Text(f"{analysis.conversation.name(item.sender)}: ", style="bold")
        line.append(f'"{text}"')
        line.append(f" ({label_words(item.label)})", style="dim")
        grid.add_row(f"  {item.timestamp:%d %b %Y %H:%M}", line)
    console.print(grid)


def meaning_lines(analysis: Analysis) -> Sequence[str]:
    pattern = analysis.pattern
    status = pattern.status if pattern is not None else "no_harm_episodes"
    them = _name(analysis, pattern.participant_id) if pattern is not None else "the other person"
    if status in ("cycle", "single_sequence"):
        return (
            "When hurtful behaviour keeps alternating with kindness, apologies or promises, the kind moments can "
            "make the hard ones easier to explain away, and make leaving feel harder. This is how a trauma bond "
            "can form. If this feels familiar, it is worth taking seriously, and it is not your fault.",
            f"You deserve to feel safe. What {them} wrote is about their behaviour, not about your worth.",
        )
    if status == "harm_without_reconciliation":
        return (
            f"Hurtful, frightening or controlling messages from {them}, repeated over time, are serious even "
            "without a cycle of making up. If this feels familiar, it is not your fault, and you do not have "
            "to face it alone.",
        )
    if status == "mutual_conflict":
        return (
            "Both of you wrote hurtful things, and both made up. That is not the one-sided pattern of a trauma "
            "bond, but conflict that keeps hurting can still wear people down; a counsellor can help couples "
            "and individuals with it.",
        )
    return (
        "The detectors did not find a pattern of harm. That is not proof that all is well: they only recognise "
        "some ways of writing, and you know your situation better than any tool.",
    )


def render_summary(analysis: Analysis, console: Console | None = None) -> None:
    """Print the summary of ``analysis`` for the person it is about."""
    out = console or Console()
    out.print(Text(MONITORING_WARNING, style="bold yellow"))
    info = analysis.conversation
    others = ", ".join(p.name for p in info.participants if p.id != analysis.me) or "no one else"
    when = ""
    if info.first_timestamp is not None and info.last_timestamp is not None:
        when = f", {_day(info.first_timestamp)} to {_day(info.last_timestamp)}"
    count = f"{info.messages} message{'' if info.messages == 1 else 's'}"
    out.print()
    out.print(Text(f"bondlens read {count} between you ({info.name(analysis.me)}) and {others}{when}.", style="bold"))

    _heading(out, "What was found")
    _bullets(out, found_lines(analysis))

    quotes = quoted_evidence(analysis)
    if quotes:
        _heading(out, "Some of the messages behind this")
        _print_quotes(out, analysis, quotes)

    _heading(out, "What it may mean")
    _bullets(out, meaning_lines(analysis))

    _heading(out, "What it does not mean")
    _bullets(out, [*NOT_MEANING, *analysis.notes])

    _heading(out, "Where to get help")
    help_data = helplines()
    emergency = ", ".join(f"{e.number} ({e.region})" for e in help_data.emergency)
    _bullets(
        out,
        [
            f"In danger now: call emergency services: {emergency}.",
            *(f"{h.region}: {h.name}, {h.contact}." for h in help_data.hotlines),
            f"Numbers change: check the right number where you live (last checked {help_data.last_checked}).",
            "Talking to someone you trust, a support service or a counsellor can help, whatever you decide.",
        ],
    )


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"
