"""Importing a chat never opens a network connection.

Each import runs in a fresh interpreter with an audit hook installed before bondlens is imported; the hook
ends the process with exit code 99 at the first socket created, connected or resolved, so nothing inside
bondlens can catch it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

GUARD = """
import os, sys
def guard(event, args):
    if event.startswith(("socket.", "http.client.", "urllib.Request", "ftplib.", "smtplib.")):
        sys.stderr.write(f"NETWORK: {event}\\n")
        sys.stderr.flush()
        os._exit(99)
sys.addaudithook(guard)
sys.argv = ["bondlens", *sys.argv[1:]]
"""


def run_guarded(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", GUARD + code, *args], capture_output=True, text=True, timeout=120)


def test_the_guard_catches_a_connection() -> None:
    probe = run_guarded("import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=1)")
    assert probe.returncode == 99
    assert "NETWORK: socket" in probe.stderr


EXAMPLE_FILES = sorted(p for p in EXAMPLES.iterdir() if p.is_file() and not p.name.startswith("."))


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.name)
def test_import_opens_no_socket(example: Path) -> None:
    result = run_guarded("from bondlens.cli import main\nmain()", "import", str(example), "--jsonl")
    assert result.returncode == 0, result.stderr
    assert "NETWORK" not in result.stderr
    assert result.stdout.count("\n") >= 1


def test_detect_opens_no_socket() -> None:
    result = run_guarded(
        "from bondlens.cli import main\nmain()",
        "detect",
        str(EXAMPLES / "whatsapp_cycle.txt"),
        "--me",
        "Alex",
        "--jsonl",
    )
    assert result.returncode == 0, result.stderr
    assert "NETWORK" not in result.stderr
