"""The Python API as a developer uses it: `import bondlens` and call its functions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import bondlens
from bondlens.analysis.schema import json_schema as analysis_schema
from bondlens.learned import classify as learned_classify
from bondlens.report import make_report
from tests.api.conftest import SAMPLE


def test_the_public_surface_is_complete_and_light() -> None:
    for name in bondlens.__all__:
        assert getattr(bondlens, name) is not None
    for name in ("load_conversation", "detect", "analyse", "render", "classify", "Conversation", "Finding",
                 "Analysis", "Prediction"):  # fmt: skip
        assert name in bondlens.__all__
    code = "import bondlens, sys; print(sorted(m for m in ('scipy', 'sklearn', 'weasyprint') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"  # `import bondlens` does not load the heavy libraries
    with pytest.raises(AttributeError):
        bondlens.no_such_thing  # noqa: B018


def test_load_conversation_reads_formats_and_options(tmp_path: Path) -> None:
    chat = bondlens.load_conversation(SAMPLE, "whatsapp")
    assert [p.name for p in chat.participants] == ["Jordan", "Alex"]
    ambiguous = tmp_path / "chat.txt"
    ambiguous.write_text("03/04/2026, 10:00 - Sam: hi\n04/03/2026, 10:01 - Alex: hello\n", encoding="utf-8")
    assert bondlens.load_conversation(ambiguous, dayfirst=True).messages[0].timestamp.month == 4
    assert bondlens.load_conversation(ambiguous, dayfirst=False).messages[0].timestamp.month == 3
    with pytest.raises(bondlens.BondlensError, match="not both"):
        bondlens.load_conversation(SAMPLE, options=bondlens.ImportOptions(), dayfirst=True)
    with pytest.raises(bondlens.BondlensError, match="raise the limit"):
        bondlens.load_conversation(SAMPLE, max_bytes=100)
    with pytest.raises(bondlens.ImportFormatError, match=r"nothing\.txt: no such file"):
        bondlens.load_conversation(tmp_path / "nothing.txt")


def test_detect_takes_names_or_detectors_and_me(chat: bondlens.Conversation, findings: list[bondlens.Finding]) -> None:
    assert findings == sorted(findings, key=lambda f: (f.message_id, f.span.start, f.label))
    for f in findings:
        assert chat.messages[f.message_id].text[f.span.start : f.span.end] == f.evidence
    rules = bondlens.detect(chat, ["rules"])
    assert rules and {f.detector.split(".")[0] for f in rules} == {"rules"}
    from bondlens.detectors import load_detector

    assert bondlens.detect(chat, [load_detector("rules")]) == rules
    mine = bondlens.detect(chat, me="alex")  # a name, any case
    assert all(f.sender != "Alex" for f in mine if f.label_set == "tactic")
    assert all(f.sender == "Alex" for f in mine if f.label_set == "sign")
    with pytest.raises(bondlens.BondlensError, match="unknown detector 'nope'"):
        bondlens.detect(chat, ["nope"])
    with pytest.raises(bondlens.BondlensError, match=r"'Sam' is not a participant.*'Jordan', 'Alex'"):
        bondlens.detect(chat, me="Sam")


def test_analyse_finds_the_cycle_and_never_guesses_me(
    chat: bondlens.Conversation, findings: list[bondlens.Finding]
) -> None:
    result = bondlens.analyse(chat, findings, me="Alex")
    assert isinstance(result, bondlens.Analysis)
    assert result.asymmetry.them == "Jordan" and len(result.cycles) >= 3
    assert bondlens.analyse(chat, me="ALEX") == result  # findings default to detect(chat); me matched on name
    later = bondlens.analyse(chat, findings, me="Alex", since="2026-03-01")
    assert later.since is not None and later.since.isoformat() == "2026-03-01"
    assert later.conversation.messages < result.conversation.messages
    with pytest.raises(bondlens.BondlensError, match="participants: 'Jordan', 'Alex'"):
        bondlens.analyse(chat, findings, me="Sam")
    with pytest.raises(bondlens.BondlensError, match="YYYY-MM-DD"):
        bondlens.analyse(chat, findings, me="Alex", until="March")
    with pytest.raises(TypeError):
        bondlens.analyse(chat, findings)  # type: ignore[call-arg]


def test_render_html_is_the_report(
    chat: bondlens.Conversation, findings: list[bondlens.Finding], tmp_path: Path
) -> None:
    out = tmp_path / "mine.html"
    html = bondlens.render(chat, "html", out, findings=findings, me="Alex")
    assert out.read_text(encoding="utf-8") == html
    assert os.stat(out).st_mode & 0o777 == 0o600  # readable only by you
    assert make_report(chat, findings, me="Alex").html == html  # what `bondlens report` writes, byte for byte
    assert "Evidence appendix" in html and "Before you read: your safety" in html
    titled = bondlens.render(chat, "html", findings=findings, me="Alex", title="Diary")
    assert "<title>Diary</title>" in titled and "<title>Notes</title>" in html


def test_render_json_from_an_analysis_or_a_conversation(
    chat: bondlens.Conversation, findings: list[bondlens.Finding], analyse_json: dict[str, Any], tmp_path: Path
) -> None:
    import jsonschema

    result = bondlens.analyse(chat, findings, me="Alex")
    text = bondlens.render(result, "json", tmp_path / "a.json")
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == text
    assert bondlens.render(chat, "json", findings=findings, me="Alex") == text
    data = json.loads(text)
    jsonschema.Draft202012Validator(analysis_schema()).validate(data)
    assert data == analyse_json  # the same as `bondlens analyse --json`


def test_render_pdf(chat: bondlens.Conversation, findings: list[bondlens.Finding], tmp_path: Path) -> None:
    out = tmp_path / "notes.pdf"
    pdf = bondlens.render(chat, "pdf", out, findings=findings, me="Alex")
    assert pdf.startswith(b"%PDF-") and out.read_bytes() == pdf


def test_render_says_what_is_missing(chat: bondlens.Conversation, findings: list[bondlens.Finding]) -> None:
    result = bondlens.analyse(chat, findings, me="Alex")
    with pytest.raises(bondlens.BondlensError, match="needs the conversation"):
        bondlens.render(result, "html")
    with pytest.raises(bondlens.BondlensError, match=r"me=\.\.\."):
        bondlens.render(chat, "html", findings=findings)
    with pytest.raises(bondlens.BondlensError, match="format must be one of html, json, pdf"):
        bondlens.render(chat, "docx", me="Alex")  # type: ignore[call-overload]
    with pytest.raises(bondlens.BondlensError, match="me apply when rendering a conversation"):
        bondlens.render(result, "json", me="Alex")


def test_classify_takes_plain_dialogue_strings() -> None:
    gaslighting = "Sam: You're imagining things again. That never happened.\nAlex: I... maybe you're right."
    kind = "Sam: Thanks for dinner, it was lovely.\nAlex: Anytime, see you Friday."
    [one] = bondlens.classify(gaslighting)
    assert isinstance(one, bondlens.Prediction) and 0.0 <= one.score <= 1.0
    both = bondlens.classify([gaslighting, kind], ids=["a", "b"])
    assert [p.id for p in both] == ["a", "b"]
    assert both == learned_classify([gaslighting, kind], ["a", "b"])
    assert both[0].score > both[1].score
    with pytest.raises(TypeError, match=r"texts\[1\] is int"):
        bondlens.classify([gaslighting, 3])  # type: ignore[list-item]
    with pytest.raises(bondlens.BondlensError, match="one id per dialogue"):
        bondlens.classify([gaslighting], ids=["a", "b"])
