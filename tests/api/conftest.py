"""Shared by the API tests: the bundled sample chat, its findings, and what `bondlens analyse --json` prints
(each is slow to make the first time: the detectors load their rules and model once per process)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import bondlens
from bondlens.cli import app as cli_app
from tests.conftest import EXAMPLES, Run

SAMPLE = EXAMPLES / "whatsapp_cycle.txt"


def bondlens_cli(*args: str | Path) -> Run:
    """Run `bondlens ARGS` in this process (the detectors, once loaded, are reused: much faster than a new one)."""
    result = CliRunner().invoke(cli_app, [str(a) for a in args], catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(scope="session")
def chat() -> bondlens.Conversation:
    return bondlens.load_conversation(SAMPLE)


@pytest.fixture(scope="session")
def findings(chat: bondlens.Conversation) -> list[bondlens.Finding]:
    return bondlens.detect(chat)


@pytest.fixture(scope="session")
def analyse_json() -> dict[str, Any]:
    """The JSON `bondlens analyse SAMPLE --me Alex --json -` prints, run as a user would."""
    run = bondlens_cli("analyse", SAMPLE, "--me", "Alex", "--json", "-")
    assert run.code == 0, run.err
    data: dict[str, Any] = json.loads(run.out)
    return data
