"""`bondlens report` mistakes a person can make: each ends in one line, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.conftest import SAMPLE, invoke


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def test_without_me_it_lists_the_participants_and_writes_nothing(tmp_path: Path) -> None:
    code, _, err = invoke("report", SAMPLE, "--out", tmp_path / "a.html")
    line = one_line_error(err)
    assert code == 2 and "--me" in line and "'Jordan'" in line and "'Alex'" in line
    assert list(tmp_path.iterdir()) == []


def test_the_default_name_never_replaces_an_existing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.html").write_text("my own notes", encoding="utf-8")
    code, _, err = invoke("report", SAMPLE, "--me", "Alex")
    assert code == 2 and "notes.html already exists" in one_line_error(err)
    assert (tmp_path / "notes.html").read_text(encoding="utf-8") == "my own notes"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--title", "  "], "--title is empty"),
        (["--since", "May 2026"], "is not a date"),
        (["--selfcheck", "missing.json"], "cannot read"),
        (["--pdf", "a.html"], "name the same file"),
        (["--out", "no/such/folder/a.html"], "does not exist"),
    ],
)
def test_bad_options_stop_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], words: str
) -> None:
    monkeypatch.chdir(tmp_path)
    out = [] if "--out" in args else ["--out", "a.html"]
    code, _, err = invoke("report", SAMPLE, "--me", "Alex", *out, *args)
    assert code == 2 and words in one_line_error(err)
    assert list(tmp_path.iterdir()) == []
