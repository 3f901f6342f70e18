"""The self-check in a terminal: the first screen with the safety note, one question at a time, and the result.

Answers live only in memory. Stopping (q, Ctrl-C or the end of the input) raises :class:`Stopped` or lets the
interruption through, and the caller writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bondlens.analysis.helplines import helplines
from bondlens.analysis.summary import MONITORING_WARNING
from bondlens.selfcheck.items import Item, Questionnaire, questionnaire
from bondlens.selfcheck.model import SelfCheckResult
from bondlens.selfcheck.scoring import alerts, band, is_strong

SKIP_KEYS = frozenset({"s", "skip", "prefer not to say"})
BACK_KEYS = frozenset({"b", "back"})
QUIT_KEYS = frozenset({"q", "quit", "stop"})

Ask = Callable[[str], str]  # shows a prompt, returns the typed line; raises EOFError / KeyboardInterrupt


class Stopped(Exception):
    """The person chose to stop (q); nothing is to be written."""


def _bullets(console: Console, lines: list[str] | tuple[str, ...]) -> None:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for line in lines:
        grid.add_row("  •", Text(line))
    console.print(grid)


def _heading(console: Console, text: str) -> None:
    console.print()
    console.print(Text(text, style="bold"))


def scale_line(q: Questionnaire) -> Text:
    line = Text("  ")
    for choice in q.scale:
        line.append(str(choice.value), style="bold")
        line.append(f" {choice.text}   ")
    line.append("s", style="bold")
    line.append(f" {q.skip_text}")
    return line


def storage_note(out: Path | None) -> str:
    if out is None:
        return (
            "Your answers are not stored: they stay in this window and are gone when you close it. Nothing is "
            "sent anywhere. (To keep the result, run it again with --out FILE.)"
        )
    return (
        f"When you finish, the result will be saved to {out}, readable only by you, and nowhere else. Nothing is "
        "sent anywhere. If you stop before the end, nothing is saved."
    )


def first_screen(console: Console, ask: Ask, out: Path | None, q: Questionnaire | None = None) -> None:
    """The safety note and how the questions work; waits for Enter. ``q`` at the prompt stops."""
    q = q or questionnaire()
    console.print(Text(MONITORING_WARNING, style="bold yellow"))
    console.print()
    console.print(Text(storage_note(out)))
    console.print()
    console.print(Text(q.intro))
    console.print(
        Text(
            f"There are {len(q.items)} short questions. This is a self-check that gives an indication, not a test "
            "and not a diagnosis. For each one, type:"
        )
    )
    console.print(scale_line(q))
    console.print(Text("You can also type b to go back one question, or q to stop (Ctrl-C works too)."))
    console.print()
    if ask("Press Enter to begin (q to stop): ").strip().casefold() in QUIT_KEYS:
        raise Stopped


def _parse(text: str, q: Questionnaire) -> int | str | None:
    """An answer (0..3), None for skip, "back", "quit", or "" when not understood."""
    word = text.strip().casefold()
    if word in SKIP_KEYS:
        return None
    if word in BACK_KEYS:
        return "back"
    if word in QUIT_KEYS:
        return "quit"
    for choice in q.scale:
        if word in (str(choice.value), choice.text.casefold()):
            return choice.value
    return ""


def _show_item(console: Console, q: Questionnaire, index: int, item: Item) -> None:
    if console.is_terminal:
        console.clear()  # one question at a time; earlier answers do not stay on the screen
    else:
        console.print()
    console.print(Text(f"Question {index + 1} of {len(q.items)}", style="dim"))
    console.print(Text(item.question, style="bold"))
    console.print(scale_line(q))


def ask_all(console: Console, ask: Ask, q: Questionnaire | None = None) -> dict[str, int | None]:
    """Ask every question in turn; item id -> 0..3, or None when skipped. ``q`` stops (:class:`Stopped`);
    Ctrl-C and the end of the input raise KeyboardInterrupt / EOFError."""
    q = q or questionnaire()
    answers: dict[str, int | None] = {}
    index = 0
    top = q.max_answer
    while index < len(q.items):
        item = q.items[index]
        _show_item(console, q, index, item)
        if item.id in answers:  # came back to it
            before = answers[item.id]
            shown = q.skip_text if before is None else q.answer_text(before)
            console.print(Text(f"Your answer before: {shown}. Type it again or change it.", style="dim"))
        while True:
            reply = _parse(ask(f"Your answer (0-{top}, s to skip, b back, q stop): "), q)
            if reply == "quit":
                raise Stopped
            if reply == "back":
                if index == 0:
                    console.print(Text("This is the first question."))
                    continue
                index -= 1
                break
            if reply == "":
                console.print(Text(f"Please type a number from 0 to {top}, or s to skip this question."))
                continue
            answers[item.id] = reply if isinstance(reply, int) else None
            index += 1
            break
    return answers


def _bar(score: int, max_score: int) -> Text:
    return Text("█" * score, style="bold") + Text("░" * (max_score - score), style="dim")


def render_result(
    result: SelfCheckResult,
    console: Console,
    *,
    warning: bool = True,
    saved_to: Path | None = None,
    q: Questionnaire | None = None,
) -> None:
    """The result for the person who answered: band, why, per-sign scores, meaning, help, and what was kept."""
    q = q or questionnaire()
    chosen = band(result, q)
    if warning:
        console.print(Text(MONITORING_WARNING, style="bold yellow"))
    console.print()
    title = Text("Self-check: ", style="bold")
    title.append(chosen.name, style="bold cyan")
    unclear = chosen is q.bands[0]
    title.append(
        "  (" + ("no indication" if unclear else "an indication from your answers, not a diagnosis") + ")", style="dim"
    )
    console.print(title)
    console.print(Text(result.summary))

    _heading(console, "Why there is no indication" if unclear else "Why this indication")
    _bullets(console, result.reasoning)

    if result.signs:
        _heading(console, "The signs, from your answers")
        table = Table(box=None, padding=(0, 2), show_header=True, header_style="dim")
        table.add_column("sign")
        table.add_column("score", justify="right")
        table.add_column("")
        for sign in result.signs:
            name = Text(sign.name, style="bold" if is_strong(sign, q) else "")
            table.add_row(name, f"{sign.score} of {sign.max_score}", _bar(sign.score, sign.max_score))
        console.print(table)

    notes = alerts(result, q)
    if notes:
        _heading(console, "Your safety")
        _bullets(console, notes)

    _heading(console, "What it may mean")
    _bullets(console, chosen.may_mean)

    _heading(console, "What it does not mean")
    _bullets(console, [*chosen.does_not_mean, *q.not_meaning])

    _heading(console, "Where to get help")
    help_data = helplines()
    emergency = ", ".join(f"{e.number} ({e.region})" for e in help_data.emergency)
    _bullets(
        console,
        [
            chosen.help,
            f"In danger now: call emergency services: {emergency}.",
            *(f"{h.region}: {h.name}, {h.contact}." for h in help_data.hotlines),
            f"Numbers change: check the right number where you live (last checked {help_data.last_checked}).",
        ],
    )
    console.print()
    if saved_to is None:
        console.print(Text("Nothing was saved. To keep the result, run the self-check with --out FILE.", style="dim"))
    else:
        console.print(
            Text(
                f"Saved to {saved_to} (readable only by you). It is added to a report only if you choose: "
                f"bondlens report ... --selfcheck {saved_to}",
                style="dim",
            )
        )
