"""Shared helpers for the plan tests: running `bondlens plan` as a person would, in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Run

DATA = Path(__file__).parent / "data"
ANSWERS = DATA / "answers.yaml"
SNAPSHOTS = Path(__file__).parent / "snapshots"

# Importing the command module registers it on the app, whatever cli/__init__.py lists.
LAUNCH = "import sys; import bondlens.cli.plan_cmd; from bondlens.cli import main; sys.argv[0] = 'bondlens'; main()"
ENV = {**os.environ, "COLUMNS": "100", "PYTHONIOENCODING": "utf-8", "BONDLENS_DEBUG": "0"}


def command(*args: str | Path) -> list[str]:
    return [sys.executable, "-c", LAUNCH, "plan", *map(str, args)]


def run_plan(*args: str | Path, stdin: str = "", cwd: Path | None = None) -> Run:
    proc = subprocess.run(
        command(*args), input=stdin, capture_output=True, text=True, timeout=120, encoding="utf-8", env=ENV, cwd=cwd
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def invoke(*args: str | Path, stdin: str | None = None) -> Run:
    """Run `bondlens plan ARGS` in this process (fast; the same code path as the console script)."""
    from typer.testing import CliRunner

    import bondlens.cli.plan_cmd  # noqa: F401  (registers the command)
    from bondlens.cli.app import app

    result = CliRunner().invoke(app, ["plan", *map(str, args)], input=stdin, env={"COLUMNS": "100"})
    return Run(result.exit_code, result.stdout, result.stderr)
