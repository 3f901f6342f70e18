"""What a person can take away, built by the packages that make them for the command line: the report
(:mod:`bondlens.report`, HTML or PDF, with its evidence appendix), the evidence on its own (JSON, with the
report's manifest), and the safety plan (:mod:`bondlens.plan`). File names are neutral, as the CLI's defaults."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bondlens.plan import build_plan, render_plan
from bondlens.render import html_to_pdf
from bondlens.report import Report, build_report
from bondlens.report.evidence import FORMAT as EVIDENCE_FORMAT
from bondlens.selfcheck import SelfCheckResult
from bondlens.web.sessions import Case


@dataclass(frozen=True, slots=True)
class Download:
    filename: str
    media_type: str
    content: bytes


def pdf_bytes(html: str) -> bytes:
    """The PDF of ``html`` (WeasyPrint, which may load nothing), via a private temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="bondlens-"))
    try:
        target = folder / "notes.pdf"
        html_to_pdf(html, target)
        return target.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(case: Case, selfcheck: SelfCheckResult | None) -> Report:
    assert case.analysis is not None
    return build_report(case.analysis, case.weekly, selfcheck=selfcheck)


def report_download(case: Case, kind: str, selfcheck: SelfCheckResult | None) -> Download:
    """``kind``: "html" (the report), "pdf" (the same, as PDF) or "evidence" (the appendix and its manifest)."""
    built = report(case, selfcheck)
    if kind == "html":
        return Download("notes.html", "text/html; charset=utf-8", built.html.encode("utf-8"))
    if kind == "pdf":
        return Download("notes.pdf", "application/pdf", pdf_bytes(built.html))
    document = {
        "format": EVIDENCE_FORMAT,
        "source": built.appendix.source,
        "entries": [e.fields() for e in built.appendix.entries],
        "manifest": built.manifest,
    }
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    return Download("notes-evidence.json", "application/json", text.encode("utf-8"))


def plan_download(notes: Mapping[str, Sequence[str]], country: str | None, kind: str) -> Download:
    html = render_plan(build_plan(notes, country))
    if kind == "pdf":
        return Download("checklist.pdf", "application/pdf", pdf_bytes(html))
    return Download("checklist.html", "text/html; charset=utf-8", html.encode("utf-8"))
