"""Shared by the report tests: the sample report made once per session, as a person makes it (the CLI, in
this process so the detector models load once), and the sample's conversation and findings for quick rebuilds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bondlens.cli import app
from bondlens.detectors import detect
from bondlens.importers import load_conversation
from bondlens.model import Conversation, Finding

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "whatsapp_cycle.txt"
ME = "Alex"


@dataclass(frozen=True)
class Made:
    """What `bondlens report SAMPLE --me Alex --pdf notes.pdf` left in an empty folder (no --out: the default)."""

    folder: Path
    html_path: Path
    pdf_path: Path
    html: str
    exit_code: int
    stderr: str


@dataclass(frozen=True)
class Sample:
    conversation: Conversation
    findings: list[Finding]
    me: str


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="session")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    folder = tmp_path_factory.mktemp("report-out")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        code, _, err = invoke("report", SAMPLE, "--me", ME, "--pdf", "notes.pdf")
    html_path, pdf_path = folder / "notes.html", folder / "notes.pdf"
    html = html_path.read_text(encoding="utf-8") if html_path.exists() else ""
    return Made(folder, html_path, pdf_path, html, code, err)


@pytest.fixture(scope="session")
def sample() -> Sample:
    conversation = load_conversation(SAMPLE)
    return Sample(conversation, detect(conversation), ME)
