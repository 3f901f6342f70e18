"""The report of the bundled sample chat, as a person sees it: its sections in order, what it quotes, what it
loads (nothing), what it is called (nothing revealing), what it writes (one private file each) and the
self-check (only when asked for)."""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from bondlens.render import NEUTRAL_TITLE
from bondlens.report import make_report
from bondlens.selfcheck import SelfCheckAnswer, SelfCheckResult, SignScore
from tests.report.conftest import Made, Sample

GOLDEN = Path(__file__).parent / "golden" / "whatsapp_cycle.structure.json"
URL_ATTRIBUTES = {"src", "href", "xlink:href", "srcset", "action", "formaction", "poster", "data", "background"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import\s+(?:url\()?\s*['\"]?([^'\");\s]*)", re.IGNORECASE)


class Structure(HTMLParser):
    """Section ids and their headings, cycles, appendix entries, and every URL-like reference."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[dict[str, str]] = []
        self.cycles = 0
        self.entries = 0
        self.references: list[str] = []
        self.tags: set[str] = set()
        self._in: str | None = None
        self._text: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.add(tag)
        if tag == "section":
            self.sections.append({"id": found.get("id") or "", "heading": ""})
        if tag in ("h1", "h2") and self.sections and not self.sections[-1]["heading"]:
            self._in, self._text = tag, []
        if (found.get("id") or "").startswith("cycle-"):
            self.cycles += 1
        if "data-entry" in found:
            self.entries += 1
        for name, value in attrs:
            if name.lower() in URL_ATTRIBUTES and value is not None:
                self.references.append(value)
            if name.lower() == "style" and value:
                self.references.extend(CSS_URL.findall(value) + CSS_IMPORT.findall(value))
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self.sections[-1]["heading"] = " ".join("".join(self._text).split())
            self._in = None
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text.append(data)
        if self._style:
            self.references.extend(CSS_URL.findall(data) + CSS_IMPORT.findall(data))


def structure(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    parser.close()
    return parser


def selfcheck_result() -> SelfCheckResult:
    return SelfCheckResult(
        version="1",
        taken_on="2026-06-07",
        band="several",
        band_name="Several signs",
        summary="Your answers show several of the signs. This is an indication, not a diagnosis.",
        reasoning=("You answered 'often' to questions about blaming yourself.",),
        score=14,
        max_score=33,
        signs=(SignScore("self_blame", "Self-blame", 5, 6),),
        answers=(SelfCheckAnswer("sb1", "self_blame", "Do you feel it is your fault?", 3, "often"),),
    )


def test_the_command_succeeds_and_prints_the_fingerprint(made: Made) -> None:
    assert made.exit_code == 0, made.stderr
    assert "wrote notes.html and notes.pdf (readable only by you)" in made.stderr
    assert re.search(r"evidence fingerprint \(SHA-256 of the appendix, \d+ messages\): [0-9a-f]{64}", made.stderr)


def test_golden_structure(made: Made) -> None:
    """Section ids and headings in order, the number of cycles and of evidence entries (not the whole HTML).
    Set BONDLENS_UPDATE_GOLDEN=1 to rewrite the expected file, then read the diff."""
    found = structure(made.html)
    actual: dict[str, Any] = {"sections": found.sections, "cycles": found.cycles, "evidence_entries": found.entries}
    if os.environ.get("BONDLENS_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert actual == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_the_safety_section_comes_first_and_help_is_always_there(made: Made) -> None:
    ids = [s["id"] for s in structure(made.html).sections]
    assert ids[0] == "safety" and "help" in ids and ids[-1] == "evidence"
    help_section = made.html[made.html.index('<section id="help">') : made.html.index('<section id="evidence"')]
    assert help_section.index("911") < help_section.index("1-800-799-7233")  # emergency numbers first
    assert "Numbers change" in help_section and "last checked on 2026-11-24" in help_section


def test_every_quoted_message_links_to_its_appendix_entry(made: Made) -> None:
    anchors = set(re.findall(r'<tbody class="entry" id="(e\d+)"', made.html))
    links = set(re.findall(r'href="#(e\d+)"', made.html))
    assert links and links <= anchors
    assert len(anchors) == structure(made.html).entries


def test_the_html_references_no_external_url(made: Made) -> None:
    found = structure(made.html)
    assert found.references, "the parser found no references at all: it is not looking"
    outside = [r for r in found.references if not (r.startswith("#") or r.startswith("data:"))]
    assert outside == []
    assert not {"link", "img", "iframe", "object", "embed", "audio", "video", "base"} & found.tags
    assert re.findall(r"<script\b[^>]*>", made.html) == ['<script type="application/json" id="evidence-manifest">']
    assert "http://" not in made.html and "https://" not in made.html and "//www." not in made.html
    assert "default-src 'none'" in made.html  # the shared Content-Security-Policy is kept


def test_default_title_and_file_name_reveal_nothing(made: Made, sample: Sample) -> None:
    assert made.html_path.name == "notes.html"
    assert f"<title>{NEUTRAL_TITLE}</title>" in made.html
    assert f"<h1>{NEUTRAL_TITLE}</h1>" in made.html
    chosen = make_report(sample.conversation, sample.findings, me=sample.me, title="Chat review")
    assert "<title>Chat review</title>" in chosen.html and "<h1>Chat review</h1>" in chosen.html


def test_only_the_asked_files_are_written_and_only_the_owner_can_read_them(made: Made) -> None:
    assert sorted(p.name for p in made.folder.iterdir()) == ["notes.html", "notes.pdf"]
    for path in (made.html_path, made.pdf_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert made.pdf_path.read_bytes().startswith(b"%PDF-")


def test_the_selfcheck_appears_only_when_given(made: Made, sample: Sample) -> None:
    assert 'id="selfcheck"' not in made.html and "self-check" not in made.html.lower()
    with_check = make_report(sample.conversation, sample.findings, me=sample.me, selfcheck=selfcheck_result())
    ids = [s["id"] for s in structure(with_check.html).sections]
    assert ids.index("signs") < ids.index("selfcheck") < ids.index("meaning")
    assert "Several signs" in with_check.html and "Do you feel it is your fault?" in with_check.html


def test_the_same_chat_gives_the_same_report(sample: Sample) -> None:
    first = make_report(sample.conversation, sample.findings, me=sample.me)
    second = make_report(sample.conversation, sample.findings, me=sample.me)
    assert first.html == second.html
    assert first.sha256 == second.sha256


def test_the_report_says_what_was_found_in_plain_words(made: Made) -> None:
    text = made.html
    assert "A repeating pattern in Jordan&#39;s messages" in text
    assert "This is an indication, not a diagnosis." in text
    assert "it is not your fault" in text


def test_the_appendix_keeps_each_message_exactly(made: Made, sample: Sample) -> None:
    report = make_report(sample.conversation, sample.findings, me=sample.me)
    by_id = {m.id: m for m in sample.conversation.messages}
    for entry in report.appendix.entries:
        message = by_id[int(entry.message_id)]
        assert entry.text == message.text
        assert entry.timestamp == message.timestamp.isoformat()
        assert entry.sender == message.sender
        assert entry.source_line == str(message.source_line)
    assert report.appendix.source["sha256"] == sample.conversation.source.sha256
    assert report.appendix.source["file"] == "whatsapp_cycle.txt"  # the file name, not the person's folders


def test_a_chat_with_no_harm_still_gets_a_complete_report(sample: Sample) -> None:
    calm = [f for f in sample.findings if f.label_set == "sign" or f.label == "reinforcement"]
    report = make_report(sample.conversation, calm, me=sample.me)
    ids = [s["id"] for s in structure(report.html).sections]
    assert ids == ["safety", "summary", "timeline", "who", "cycles", "signs", "meaning", "help", "evidence"]
    assert "No harm episodes were found" in report.html


def test_since_and_until_narrow_the_report(sample: Sample) -> None:
    from datetime import date

    report = make_report(sample.conversation, sample.findings, me=sample.me, since=date(2026, 5, 1))
    assert all(e.timestamp >= "2026-05-01" for e in report.appendix.entries)
    assert "2026-05-01 to the last message" in report.html


def test_tricky_text_is_kept_exactly(sample: Sample) -> None:
    """Markup characters, quotes, line breaks, tabs, control characters and emoji survive the round trip."""
    tricky = "a < b & \"c\" 'd' </td>\r\n\tnext line \x01 😀 &amp; done"
    target = next(f.message_id for f in sample.findings if f.label == "isolation" and f.sender == "Jordan")
    messages = tuple(replace(m, text=tricky) if m.id == target else m for m in sample.conversation.messages)
    conversation = replace(sample.conversation, messages=messages)
    findings = [
        replace(f, evidence="a", span=type(f.span)(0, 1)) if f.message_id == target else f for f in sample.findings
    ]
    report = make_report(conversation, findings, me=sample.me)
    assert any(e.text == tricky for e in report.appendix.entries)
    from bondlens.report import verify_html

    assert verify_html(report.html).ok
