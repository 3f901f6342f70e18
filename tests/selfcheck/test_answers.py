"""Answers files: YAML or JSON, id -> 0..3 or "skip"; anything else is one clear line naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bondlens.errors import BondlensError
from bondlens.selfcheck import read_answers
from tests.selfcheck.helpers import FEW, MANY


def test_yaml_and_json_files() -> None:
    many = read_answers(MANY)
    assert many["self_blame.1"] == 3 and many["returning_after_leaving.2"] is None and len(many) == 18
    assert read_answers(FEW)["cycle.1"] is None


def test_lenient_where_the_meaning_is_clear(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text('self_blame.1: "2"\nself_blame.2: Often\nappeasing.1: Prefer not to say\nappeasing.2:\n')
    assert read_answers(path) == {"self_blame.1": 2, "self_blame.2": 2, "appeasing.1": None, "appeasing.2": None}


BAD = [
    ("missing.yaml", None, "cannot read"),
    ("empty.yaml", "", "expected question ids with an answer each"),
    ("list.yaml", "- 1\n- 2\n", "expected question ids with an answer each"),
    ("broken.yaml", "self_blame.1: [1\n", "not valid YAML or JSON"),
    ("broken.json", '{"self_blame.1": 1,}', "not valid JSON (line 1"),
    ("binary.yaml", b"\xff\xfe\x00\x01", "not a text file in UTF-8"),
    ("unknown.yaml", "self_blame.3: 1\n", "'self_blame.3' is not a question of the self-check; did you mean"),
    ("far.yaml", "zzz: 1\n", "'zzz' is not a question of the self-check; ids look like 'self_blame.1'"),
    ("high.yaml", "self_blame.1: 4\n", "question 'self_blame.1': 4 is not an answer; use 0 (never), 1 (sometimes)"),
    ("negative.json", '{"cycle.2": -1}', "question 'cycle.2': -1 is not an answer"),
    ("half.yaml", "cycle.2: 1.5\n", "question 'cycle.2': 1.5 is not an answer"),
    ("yes.yaml", "cycle.2: yes\n", "question 'cycle.2': True is not an answer"),
    ("word.yaml", "cycle.2: maybe\n", "question 'cycle.2': 'maybe' is not an answer"),
]


def write(tmp_path: Path, name: str, content: str | bytes | None) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "content", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_name_the_file_and_the_question(
    tmp_path: Path, name: str, content: str | bytes | None, message: str
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(BondlensError) as caught:
        read_answers(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "\n" not in text


def test_a_folder_and_a_huge_file(tmp_path: Path) -> None:
    with pytest.raises(BondlensError, match="is a folder"):
        read_answers(tmp_path)
    huge = tmp_path / "huge.yaml"
    huge.write_text("# " + "x" * 300_000)
    with pytest.raises(BondlensError, match="too large to be an answers file"):
        read_answers(huge)
