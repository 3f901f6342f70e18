from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str | Path, stdin: str | None = None, timeout: float = 120) -> Run:
    """Run `bondlens ARGS` as a user would, in a fresh process."""
    proc = subprocess.run(
        [sys.executable, "-m", "bondlens", *map(str, args)],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=timeout,
        encoding="utf-8",
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli() -> type[Run]:
    return Run


@pytest.fixture(scope="session")
def examples() -> Path:
    return EXAMPLES
