"""`bondlens classify --engine dask` as a user runs it: same predictions as the plain engine, in every format,
bad lines, resuming, and the model loaded once per worker."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from bondlens.cli import app
from bondlens.scale.worker import load_count
from tests.scale.conftest import dialogues, write_jsonl

SCHEMA = Path(__file__).resolve().parents[2] / "src" / "bondlens" / "data" / "classify.schema.json"


def classify(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["classify", *map(str, args)])
    return result.exit_code, result.stderr


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@cache
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """3,000 dialogues and what the plain engine makes of them."""
    folder = tmp_path_factory.mktemp("corpus")
    source = write_jsonl(folder / "in.jsonl", dialogues(3000))
    code, err = classify(source, "--output", folder / "plain.jsonl")
    assert code == 0, err
    return source, folder / "plain.jsonl"


def test_local_cluster_of_two_workers_gives_the_plain_predictions(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    source, plain = corpus
    out = tmp_path / "dask.jsonl"
    code, err = classify(source, "--engine", "dask", "--workers", "2", "--partition-size", "500", "--output", out)
    assert code == 0, err
    assert "classified 3,000 dialogues" in err and "6 partitions on 2 workers" in err
    assert out.read_bytes() == plain.read_bytes()  # same predictions, same order, keyed by the same ids
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dask.jsonl"]  # parts and state cleaned up
    assert out.stat().st_mode & 0o077 == 0


def test_every_output_line_follows_the_schema(corpus: tuple[Path, Path]) -> None:
    lines = records(corpus[1])
    assert lines[0]["schema_version"] == "1" and next(iter(lines[0])) == "schema_version"
    for line in lines[:500]:
        assert not list(validator().iter_errors(line)), line
    bad = dict(lines[0], score=1.5)
    assert list(validator().iter_errors(bad))


def test_model_is_loaded_once_per_worker(cluster: Any, corpus: tuple[Path, Path], tmp_path: Path) -> None:
    source, plain = corpus
    address = cluster.scheduler.address
    code, err = classify(
        source, "--engine", "dask", "--scheduler", address, "--partition-size", "300", "-o", tmp_path / "a.jsonl"
    )
    assert code == 0, err
    assert (tmp_path / "a.jsonl").read_bytes() == plain.read_bytes()
    assert set(cluster.run(load_count).values()) == {1}  # 10 tasks on 2 workers, two loads in all


def test_bad_line_stops_the_run_then_resume_with_skip_bad(cluster: Any, tmp_path: Path) -> None:
    rows = dialogues(1200)
    text = "".join(json.dumps(r) + "\n" for r in rows[:1000]) + "{not json\n"
    text += "".join(json.dumps(r) + "\n" for r in rows[1000:])
    source = tmp_path / "in.jsonl"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run = ("--engine", "dask", "--scheduler", cluster.scheduler.address, "--partition-size", "200", "-o", out)
    code, err = classify(source, *run)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "in.jsonl:1001" in lines[0] and "partition 6" in lines[0] and "not valid JSON" in lines[0]
    assert not out.exists()

    code, err = classify(source, *run, "--resume", "--skip-bad")
    assert code == 0, err
    assert "already done by the interrupted run (resumed)" in err
    assert "skipped 1 bad lines" in err and "skipped " + str(source) + ":1001 (partition 6): not valid JSON" in err
    write_jsonl(tmp_path / "good.jsonl", rows)
    assert classify(tmp_path / "good.jsonl", "-o", tmp_path / "plain.jsonl")[0] == 0
    assert out.read_bytes() == (tmp_path / "plain.jsonl").read_bytes()


def test_resume_skips_finished_partitions_and_refuses_a_changed_input(cluster: Any, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", dialogues(1000))
    with source.open("a", encoding="utf-8") as fh:
        fh.write('{"id": "x"}\n')  # stops the run in the last partition: the first four are finished
    out = tmp_path / "out.jsonl"
    run = ("--engine", "dask", "--scheduler", cluster.scheduler.address, "--partition-size", "250", "-o", out)
    assert classify(source, *run)[0] == 2
    code, err = classify(source, *run, "--resume", "--skip-bad")
    assert code == 0, err
    assert "5 partitions on 2 workers, 4 already done by the interrupted run (resumed)" in err

    assert not (tmp_path / ".out.jsonl.parts").exists()  # a finished run leaves nothing behind

    assert classify(source, *run)[0] == 2  # stopped again: four partitions kept for --resume
    source.write_text(source.read_text(encoding="utf-8").replace('{"id": "x"}', '{"id": "x", "text": "A: hi"}'))
    code, err = classify(source, *run, "--resume")
    assert code == 2 and "changed since the interrupted run" in err and "without --resume" in err
    code, err = classify(source, *run)
    assert code == 0 and "classified 1,001 dialogues" in err


def test_skip_bad_drops_only_the_bad_lines(cluster: Any, tmp_path: Path) -> None:
    rows = dialogues(40)
    lines = [json.dumps(r) for r in rows]
    lines[5] = '{"id": 5, "text": 7}'
    lines[30] = "[1, 2]"
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, err = classify(
        source,
        "--engine",
        "dask",
        "--scheduler",
        cluster.scheduler.address,
        "--partition-size",
        "10",
        "--skip-bad",
        "-o",
        tmp_path / "out.jsonl",
    )
    assert code == 0, err
    assert f"skipped {source}:6 (partition 1)" in err and f"skipped {source}:31 (partition 4)" in err
    assert "classified 38 dialogues" in err and "skipped 2 bad lines" in err
    ids = [r["id"] for r in records(tmp_path / "out.jsonl")]
    assert ids == [r["id"] for i, r in enumerate(rows) if i not in (5, 30)]


def test_parquet_in_and_out(cluster: Any, corpus: tuple[Path, Path], tmp_path: Path) -> None:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    source, plain = corpus
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()][:2000]
    table = pa.table({"id": [str(r["id"]) for r in rows], "text": [r["text"] for r in rows]})
    pq.write_table(table, tmp_path / "in.parquet", row_group_size=700)  # partitions cut inside row groups too
    code, err = classify(
        tmp_path / "in.parquet",
        "--engine",
        "dask",
        "--scheduler",
        cluster.scheduler.address,
        "--partition-size",
        "300",
        "-o",
        tmp_path / "out.parquet",
    )
    assert code == 0, err
    assert "classified 2,000 dialogues" in err
    got = pq.read_table(tmp_path / "out.parquet").to_pylist()
    want = records(plain)[:2000]
    assert [g["id"] for g in got] == [str(w["id"]) for w in want]
    assert [(g["manipulative"], g["score"], g["techniques"], g["tactics"]) for g in got] == [
        (w["manipulative"], w["score"], w["techniques"], w["tactics"]) for w in want
    ]
    assert all(not list(validator().iter_errors(g)) for g in got[:200])


def test_parquet_bad_row_and_missing_column(cluster: Any, tmp_path: Path) -> None:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    pq.write_table(pa.table({"id": ["a", "b", None], "text": ["A: hi", None, "A: yo"]}), tmp_path / "in.parquet")
    code, err = classify(
        tmp_path / "in.parquet",
        "--engine",
        "dask",
        "--scheduler",
        cluster.scheduler.address,
        "-o",
        tmp_path / "out.jsonl",
    )
    assert code == 2 and "in.parquet:2 (partition 1)" in err and '"text" must be a string' in err
    pq.write_table(pa.table({"key": ["a"], "text": ["A: hi"]}), tmp_path / "other.parquet")
    code, err = classify(
        tmp_path / "other.parquet",
        "--engine",
        "dask",
        "--scheduler",
        cluster.scheduler.address,
        "-o",
        tmp_path / "out.jsonl",
    )
    assert code == 2 and "no 'id' column" in err


def test_gzip_jsonl_in_and_out(cluster: Any, corpus: tuple[Path, Path], tmp_path: Path) -> None:
    source, plain = corpus
    packed = tmp_path / "in.jsonl.gz"
    packed.write_bytes(gzip.compress(source.read_bytes()))
    code, err = classify(
        packed,
        "--engine",
        "dask",
        "--scheduler",
        cluster.scheduler.address,
        "--partition-size",
        "700",
        "-o",
        tmp_path / "out.jsonl.gz",
    )
    assert code == 0, err
    assert "5 partitions" in err
    assert gzip.decompress((tmp_path / "out.jsonl.gz").read_bytes()) == plain.read_bytes()


def test_dask_options_need_the_dask_engine(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", dialogues(2))
    code, err = classify(source, "--workers", "2", "--skip-bad", "-o", tmp_path / "out.jsonl")
    assert code == 2 and "--workers, --skip-bad: only with --engine dask" in err
    code, err = classify(
        source, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1", "--workers", "2", "-o", tmp_path / "out.jsonl"
    )
    assert code == 2 and "--workers: only without --scheduler" in err
