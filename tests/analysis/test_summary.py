"""The terminal summary: safety warning first, evidence with dates, kind wording, help always at the end."""

from __future__ import annotations

import re

import pytest
from rich.console import Console

from bondlens.analysis import Analysis
from bondlens.analysis.helplines import helplines
from bondlens.analysis.summary import MONITORING_WARNING, render_summary
from tests.analysis.helpers import NAMES, detected_analysis, exact_analysis, sample_analysis

LABELS_FOR_PEOPLE = re.compile(
    r"\b(abuser|abusive person|victim|perpetrator|narcissist|psychopath|toxic person)\b", re.I
)


def rendered(analysis: Analysis, width: int = 100) -> str:
    console = Console(record=True, width=width, color_system=None, file=open("/dev/null", "w"))  # noqa: SIM115
    render_summary(analysis, console)
    return console.export_text()


def flat(text: str) -> str:
    return " ".join(text.split())


def test_sample_summary_reads_in_a_minute_and_has_every_part() -> None:
    text = rendered(sample_analysis())
    words = flat(text)
    assert words.startswith(" ".join(MONITORING_WARNING.split()))
    headings = ["What was found", "Some of the messages behind this", "What it may mean", "What it does not mean"]
    positions = [text.index(h) for h in [*headings, "Where to get help"]]
    assert positions == sorted(positions)
    assert "A repeating pattern in Jordan's messages" in words
    assert "attempt to leave" in words
    assert re.search(r"\d{2} \w{3} 2026 \d{2}:\d{2} +Jordan: \"", text), "quotes carry their date and sender"
    assert "not a diagnosis" in words and "can be wrong" in words and "Only the messages were read" in words
    assert len(words.split()) < 700  # about a minute of reading
    assert len(text.splitlines()) < 70


@pytest.mark.parametrize("name", NAMES)
def test_help_is_always_given_and_people_are_never_labelled(name: str) -> None:
    for analysis in (exact_analysis(name), detected_analysis(name)):
        words = flat(rendered(analysis))
        for number in ("911", "999", "112", "000"):
            assert number in words
        for hotline in helplines().hotlines:
            assert hotline.contact in words
        assert "Numbers change" in words and "check" in words
        assert not LABELS_FOR_PEOPLE.search(words), LABELS_FOR_PEOPLE.search(words)


def test_no_cycle_is_claimed_where_there_is_none() -> None:
    healthy = flat(rendered(detected_analysis("healthy")))
    assert "repeating pattern" not in healthy
    assert "did not find a pattern of harm" in healthy and "not proof that all is well" in healthy
    mutual = flat(rendered(exact_analysis("mutual")))
    assert "repeating pattern" not in mutual and "both sides" in mutual
    one_sided = flat(rendered(exact_analysis("one_sided")))
    assert "with no apology or affection after them" in one_sided


def test_escalation_is_said_with_its_confidence() -> None:
    words = flat(rendered(exact_analysis("cycle")))
    assert re.search(r"getting more intense over time \(trend test: \d+% confidence\)", words)
    assert re.search(r"coming closer together \(trend test: \d+% confidence\)", words)


def test_message_text_is_never_read_as_markup() -> None:
    from tests.analysis.helpers import THEM, Chat

    chat = Chat().daily("2025-01-01", "2025-02-20")
    for harm, repair in (("2025-01-10", "2025-01-11"), ("2025-01-20", "2025-01-21"), ("2025-01-30", "2025-01-31")):
        chat.say(f"{harm} 21:00", THEM, "[bold red]you're pathetic[/] [link=x]", "emotional_abuse", "intimidation")
        chat.say(f"{repair} 09:00", THEM, "sorry [/]", "reinforcement")
    text = rendered(chat.analyse())
    assert "[bold red]you're pathetic[/] [link=x]" in text
