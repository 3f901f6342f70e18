"""Whatever the findings, the analysis holds together: ordered, within bounds, serialisable, valid JSON."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bondlens.analysis import analyse
from bondlens.analysis.schema import to_json
from bondlens.importers.base import ConversationBuilder
from bondlens.model import SourceFile
from bondlens.taxonomy import SIGNS, TACTICS
from tests.analysis.helpers import ME, THEM, finding, schema_errors

START = datetime(2025, 1, 1, 8, 0)

messages = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=60 * 24 * 120),  # minutes after the start: about four months
        st.sampled_from([ME, THEM]),
        st.lists(st.tuples(st.sampled_from(TACTICS + SIGNS), st.floats(min_value=0.5, max_value=1.0)), max_size=2),
    ),
    min_size=1,
    max_size=120,
)


@settings(max_examples=60, deadline=None)
@given(messages, st.sampled_from(["month", "week"]))
def test_any_findings_give_a_consistent_analysis(
    lines: list[tuple[int, str, list[tuple[str, float]]]], period: str
) -> None:
    builder = ConversationBuilder("test", SourceFile("<test>", "0" * 64, 0), naive_timestamps=True)
    builder.participant(ME, "Sam")
    builder.participant(THEM, "Alex")
    marks = []
    for i, (minute, who, found) in enumerate(sorted(lines, key=lambda line: line[0])):
        builder.add(START + timedelta(minutes=minute), who, f"message {i}")
        marks.append(found)
    conversation = builder.build()
    findings = [
        finding(conversation.messages[i], label, score) for i, found in enumerate(marks) for label, score in found
    ]
    result = analyse(conversation, findings, me=ME, period=period)  # type: ignore[arg-type]

    for pattern in result.patterns:
        starts = [e.start for e in pattern.episodes]
        assert starts == sorted(starts)
        assert all(e.start <= e.end and e.intensity > 0 for e in pattern.episodes)
        for cycle in pattern.cycles:
            assert cycle.harm.one_sided
            assert cycle.harm.start < cycle.reinforcement_start <= cycle.reinforcement_end
            if cycle.next_harm_start is not None:
                assert cycle.next_harm_start > cycle.harm.end
                assert cycle.period_days is not None and cycle.period_days >= 0
        assert pattern.status != "cycle" or len(pattern.cycles) >= 2
    share = result.asymmetry.share_them
    assert share is None or 0 <= share <= 1
    for stage in result.stages.periods:
        assert 0 <= stage.confidence <= 1 and stage.start <= stage.end
    for gap in result.contact.gaps:
        assert gap.end > gap.start and gap.days >= result.contact.threshold_days
    assert schema_errors(to_json(result)) == []


def test_a_window_without_messages_and_a_chat_with_only_me() -> None:
    from datetime import date
    from io import StringIO

    from rich.console import Console

    from bondlens.analysis.summary import render_summary

    builder = ConversationBuilder("test", SourceFile("<test>", "0" * 64, 0), naive_timestamps=True)
    builder.participant(ME, "Sam")
    builder.add(START, ME, "a note to myself")
    conversation = builder.build()
    for window in ({}, {"since": date(2026, 1, 1)}):
        result = analyse(conversation, [], me=ME, **window)  # type: ignore[arg-type]
        assert result.patterns == () and result.cycles == () and result.asymmetry.direction == "little_harm"
        assert schema_errors(to_json(result)) == []
        out = StringIO()
        render_summary(result, Console(file=out, width=100))
        assert "Where to get help" in out.getvalue()
    assert (
        "There are no messages in the chosen dates." in analyse(conversation, [], me=ME, since=date(2026, 1, 1)).notes
    )
