"""`bondlens classify` as a user runs it: the output contract, bad input, atomic output, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bondlens.cli import app
from bondlens.learned import TECHNIQUES, VULNERABILITIES
from bondlens.taxonomy import TACTICS
from tests.conftest import run_cli
from tests.learned.conftest import FRIENDLY, PRESSING, write_jsonl

FIELDS = ["schema_version", "id", "manipulative", "score", "techniques", "vulnerabilities", "tactics"]


def classify(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["classify", *map(str, args)])
    return result.exit_code, result.stderr


def assert_one_line_error(err: str, *parts: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for part in parts:
        assert part in lines[0], lines[0]
    assert "Traceback" not in err


def test_output_contract_order_and_ids(tmp_path: Path) -> None:
    rows = [
        {"id": "first", "text": PRESSING},
        {"id": 2, "text": FRIENDLY, "extra": "ignored"},
        {"id": "", "text": ""},
        {"id": "ü-4", "text": "Ana: ¿Dónde estabas?\nLuis: En casa."},
    ]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    source.write_text(source.read_text(encoding="utf-8").replace("\n", "\n\n", 1), encoding="utf-8")  # a blank line
    code, err = classify(source, "--output", tmp_path / "out.jsonl")
    assert code == 0, err
    assert "classified 4 dialogues" in err
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in out] == ["first", 2, "", "ü-4"]
    for o in out:
        assert list(o) == FIELDS
        assert isinstance(o["manipulative"], bool)
        assert isinstance(o["score"], float) and 0.0 <= o["score"] <= 1.0
        assert set(o["techniques"]) <= set(TECHNIQUES)
        assert set(o["vulnerabilities"]) <= set(VULNERABILITIES)
        assert set(o["tactics"]) <= set(TACTICS)
        assert bool(o["techniques"]) == o["manipulative"]
    assert out[0]["manipulative"] and not out[1]["manipulative"]
    assert (tmp_path / "out.jsonl").stat().st_mode & 0o077 == 0  # readable only by the user


def test_batches_do_not_change_the_output(tmp_path: Path) -> None:
    rows = [{"id": i, "text": (PRESSING, FRIENDLY)[i % 2] + f"\nSam: and {i}"} for i in range(7)]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    assert classify(source, "--output", tmp_path / "one.jsonl", "--batch-size", "1")[0] == 0
    assert classify(source, "--output", tmp_path / "all.jsonl")[0] == 0
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "all.jsonl").read_bytes()


@pytest.mark.parametrize(
    ("lines", "where", "what"),
    [
        (['{"id": 1, "text": "A: hi"}', "{not json"], ":2:", "not valid JSON"),
        (['{"id": 1, "text": "A: hi"}', "", '{"id": 2}'], ":3:", 'no "text"'),
        (['{"id": 1, "text": 5}'], ":1:", '"text"'),
        (['["A: hi"]'], ":1:", "expected a JSON object"),
        (['"A: hi"'], ":1:", "expected a JSON object"),
        (['{"text": "A: hi"}'], ":1:", 'no "id"'),
        (['{"id": null, "text": "A: hi"}'], ":1:", '"id" must be a string or an integer'),
        ([], "in.jsonl:", "no dialogues"),
        (["", "   "], "in.jsonl:", "no dialogues"),
    ],
)
def test_bad_input_is_one_line_naming_file_and_line(tmp_path: Path, lines: list[str], where: str, what: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    target = tmp_path / "out.jsonl"
    target.write_text("an older result\n", encoding="utf-8")
    code, err = classify(source, "--output", target)
    assert code == 2
    assert_one_line_error(err, "in.jsonl" + where if where.startswith(":") else where, what)
    assert target.read_text(encoding="utf-8") == "an older result\n"  # untouched: no half-written file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]  # no temporary file left


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"id": 1, "text": "A: hi"}\n{"id": 2, "text": "A: \xff"}\n')
    code, err = classify(source, "--output", tmp_path / "out.jsonl")
    assert code == 2
    assert_one_line_error(err, "in.jsonl:2:", "UTF-8")
    assert not (tmp_path / "out.jsonl").exists()


def test_missing_input_and_unwritable_output(tmp_path: Path) -> None:
    code, err = classify(tmp_path / "nope.jsonl", "--output", tmp_path / "out.jsonl")
    assert code == 2
    assert_one_line_error(err, "nope.jsonl", "cannot read")
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": "A: hi"}])
    code, err = classify(source, "--output", tmp_path / "no" / "such" / "folder" / "out.jsonl")
    assert code == 2
    assert_one_line_error(err, "out.jsonl", "cannot write")
    code, err = classify(source, "--output", source)
    assert code == 2
    assert_one_line_error(err, "would overwrite the input")
    assert json.loads(source.read_text(encoding="utf-8")) == {"id": 1, "text": "A: hi"}


def test_same_input_gives_the_same_bytes_in_separate_processes(tmp_path: Path) -> None:
    rows = [{"id": i, "text": t} for i, t in enumerate([PRESSING, FRIENDLY, "Kim: Do it now. I'll check."])]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    first = run_cli("classify", source, "--output", tmp_path / "a.jsonl")
    second = run_cli("classify", source, "--output", tmp_path / "b.jsonl")
    assert first.code == second.code == 0, first.err + second.err
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    code, _ = classify(source, "--output", tmp_path / "c.jsonl")  # and in this process
    assert code == 0
    assert (tmp_path / "c.jsonl").read_bytes() == (tmp_path / "a.jsonl").read_bytes()


def test_classify_is_listed_in_help() -> None:
    result = CliRunner().invoke(app, ["classify", "--help"])
    assert result.exit_code == 0
    assert "--output" in result.stdout and "film and TV dialogue" in result.stdout
