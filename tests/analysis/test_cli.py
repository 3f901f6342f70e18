"""`bondlens analyse` as a user runs it, in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.analysis.helpers import FIXTURES, SAMPLE, schema_errors
from tests.conftest import Run

# Importing the command module registers it on the app, whether or not cli/__init__.py lists it yet.
LAUNCH = "import sys; import bondlens.cli.analyse_cmd; from bondlens.cli import main; sys.argv[0] = 'bondlens'; main()"


def run(*args: str | Path) -> Run:
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCH, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        encoding="utf-8",
        env={**os.environ, "COLUMNS": "100", "PYTHONIOENCODING": "utf-8", "BONDLENS_DEBUG": "0"},
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def test_without_me_it_stops_and_says_how_to_say_who_you_are() -> None:
    result = run("analyse", SAMPLE)
    assert result.code == 2
    assert "--me" in result.err and "'Jordan', 'Alex'" in result.err
    assert result.out == ""


def test_an_unknown_me_lists_the_participants() -> None:
    result = run("analyse", SAMPLE, "--me", "Sam")
    assert result.code == 2
    assert "participants: Jordan, Alex" in result.err


def test_summary_and_json_file(tmp_path: Path) -> None:
    out = tmp_path / "analysis.json"
    result = run("analyse", SAMPLE, "--me", "alex", "--json", out)
    assert result.code == 0, result.err
    assert result.out.startswith("Safety first")
    assert "Where to get help" in result.out
    assert f"wrote {out}" in result.err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert schema_errors(data) == []
    assert data["me"] == "Alex"
    assert out.stat().st_mode & 0o077 == 0, "the JSON quotes private messages: owner-only"


def test_json_to_standard_output_with_a_date_window() -> None:
    result = run(
        "analyse",
        FIXTURES / "cycle.txt",
        "--me",
        "Riley",
        "--json",
        "-",
        "--since",
        "2025-04-01",
        "--until",
        "2025-05-31",
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["window"] == {"since": "2025-04-01", "until": "2025-05-31"}
    assert data["conversation"]["first_timestamp"] >= "2025-04-01"
    assert data["conversation"]["last_timestamp"] < "2025-06-01"
    assert all("2025-04-01" <= c["start"] < "2025-06-01" for c in data["patterns"][0]["cycles"])


def test_a_bad_date_is_a_plain_error() -> None:
    result = run("analyse", SAMPLE, "--me", "Alex", "--since", "1st of March")
    assert result.code == 2
    assert "YYYY-MM-DD" in result.err and "Traceback" not in result.err
