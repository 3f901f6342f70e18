"""`bondlens selfcheck` as a person uses it: typed answers, an answers file, stopping, and the saved result."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

import bondlens.cli.selfcheck_cmd  # noqa: F401  (registers the command, whatever cli/__init__ lists)
from bondlens.cli import app
from bondlens.selfcheck import load_result, questionnaire, read_answers, score
from tests.conftest import run_cli
from tests.selfcheck.helpers import FEW, MANY, SOME, flat, overstatements

N = len(questionnaire().items)
WARNING = "Safety first: if someone else can get into this device"


def invoke(*args: str | Path, input: str | None = None) -> Result:
    return CliRunner().invoke(app, ["selfcheck", *map(str, args)], input=input, env={"COLUMNS": "100"})


def typed(*replies: str) -> str:
    return "\n".join(replies) + "\n"


# Enter on the first screen; then: 2, a typo, a skip, back (to the skipped one), 3, and 1 for the rest.
SESSION = typed("", "2", "x", "s", "b", "3", *["1"] * (N - 2))


def test_answers_file_prints_the_indication_with_its_reasoning() -> None:
    result = invoke("--answers", MANY)
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert result.stdout.startswith(WARNING)
    assert "Self-check: Many signs (an indication from your answers, not a diagnosis)" in out
    assert "Why this indication" in out and "Fear of retaliation (6 of 6, strong)" in out
    assert "not a validated clinical instrument" in out
    assert "Your safety" in out and "leaving can be the most dangerous time" in out
    assert "What it does not mean" in out
    assert "Where to get help" in out and "1-800-799-7233" in out and "Numbers change" in out
    assert "Nothing was saved" in out
    assert "Question 1" not in out  # nothing asked when the answers are given


@pytest.mark.parametrize(("path", "band"), [(FEW, "Few signs"), (SOME, "Some signs"), (MANY, "Many signs")])
def test_each_band_from_a_file(path: Path, band: str) -> None:
    result = invoke("--answers", path)
    assert result.exit_code == 0
    assert f"Self-check: {band} " in result.stdout


def test_out_writes_a_private_result_that_the_report_can_load(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = invoke("--answers", SOME, "--out", out)
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]  # no temporary file left behind
    loaded = load_result(out)
    expected = score(read_answers(SOME), date.fromisoformat(loaded.taken_on))
    assert loaded == expected
    assert out.read_text(encoding="utf-8") == loaded.to_json()  # round-trips exactly
    assert json.loads(out.read_text(encoding="utf-8"))["band"] == "some_signs"
    assert f"Saved to {out} (readable only by you)" in flat(result.stdout)


def test_interactive_one_question_at_a_time(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = invoke("--out", out, input=SESSION)
    assert result.exit_code == 0, result.output
    text = flat(result.stdout)
    first_screen = text[: text.index("Question 1 of")]
    assert first_screen.startswith(WARNING)
    assert f"the result will be saved to {out}, readable only by you" in first_screen
    assert "0 Never 1 Sometimes 2 Often 3 Very often s Prefer not to say" in first_screen
    assert "not a diagnosis" in first_screen
    for number in range(1, N + 1):
        assert f"Question {number} of {N}" in text
    assert "Please type a number from 0 to 3, or s to skip this question." in text
    assert "Your answer before: Prefer not to say." in text  # went back to the skipped one
    saved = load_result(out)
    answers = {a.item_id: a.answer for a in saved.answers}
    assert answers["self_blame.1"] == 2 and answers["self_blame.2"] == 3  # the skip was changed to 3
    assert len(answers) == N
    assert saved.band == "some_signs"
    assert "Self-check: Some signs" in text


def test_interactive_skip_is_left_out(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = invoke("--out", out, input=typed("", "s", *["2"] * (N - 1)))
    assert result.exit_code == 0, result.output
    saved = load_result(out)
    assert [a.item_id for a in saved.answers] == [i.id for i in questionnaire().items[1:]]
    assert saved.max_score == 3 * (N - 1)
    assert 'answered "prefer not to say" or left out is not counted' in flat(result.stdout)


def test_without_out_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(input=typed("", *["0"] * N))
    assert result.exit_code == 0, result.output
    assert "Your answers are not stored" in flat(result.stdout)
    assert "Self-check: Few signs" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_stops_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}

    def interrupted(self: Console, *args: Any, **kwargs: Any) -> str:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return "2"

    monkeypatch.setattr(Console, "input", interrupted)
    out = tmp_path / "r.json"
    result = invoke("--out", out)
    assert result.exit_code == 130
    assert "Stopped: nothing was saved" in flat(result.stderr)
    assert "Traceback" not in result.output and "Self-check:" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_end_of_input_stops_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = invoke("--out", out, input=typed("", "1", "2"))
    assert result.exit_code == 1
    assert "The input ended before the last question. Stopped: nothing was saved" in flat(result.stderr)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("replies", [("q",), ("", "1", "q")])
def test_q_stops_and_writes_nothing(tmp_path: Path, replies: tuple[str, ...]) -> None:
    result = invoke("--out", tmp_path / "r.json", input=typed(*replies))
    assert result.exit_code == 0
    assert "Stopped: nothing was saved" in flat(result.stdout)
    assert list(tmp_path.iterdir()) == []


def test_bad_answers_file_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "answers.yaml"
    bad.write_text("self_blame.1: 2\nloss_of_self.2: 7\n")
    out = tmp_path / "r.json"
    result = invoke("--answers", bad, "--out", out)
    assert result.exit_code == 2
    assert flat(result.stderr) == (
        f"error: {bad}: question 'loss_of_self.2': 7 is not an answer; "
        'use 0 (never), 1 (sometimes), 2 (often), 3 (very often) or "skip"'
    )
    assert result.stdout == ""
    assert not out.exists()


def test_unknown_question_id(tmp_path: Path) -> None:
    bad = tmp_path / "a.json"
    bad.write_text('{"self-blame.1": 2}')
    result = invoke("--answers", bad)
    assert result.exit_code == 2
    assert flat(result.stderr) == (
        f"error: {bad}: 'self-blame.1' is not a question of the self-check; did you mean 'self_blame.1'?"
    )


def test_out_in_a_missing_folder_is_refused_before_any_question(tmp_path: Path) -> None:
    out = tmp_path / "nowhere" / "r.json"
    result = invoke("--out", out, input=SESSION)
    assert result.exit_code == 2
    assert f"{out}: the folder {out.parent} does not exist" in flat(result.stderr)
    assert "Question 1" not in result.stdout


def test_the_output_stays_an_indication(tmp_path: Path) -> None:
    outputs = [invoke("--answers", path).stdout for path in (FEW, SOME, MANY)]
    outputs.append(invoke(input=SESSION).stdout)
    outputs.append(invoke(input=typed("", *["s"] * N)).stdout)  # everything skipped: no band
    assert "Self-check: Not enough answers" in outputs[-1]
    for out in outputs:
        assert overstatements(out) == [], out
        assert "indication" in out
        assert "diagnosis: " not in out.lower()


def test_the_installed_command(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    run = run_cli("selfcheck", "--answers", FEW, "--out", out)
    assert run.code == 0, run.err
    assert run.out.startswith("Safety first")
    assert load_result(out).band == "few_signs"
