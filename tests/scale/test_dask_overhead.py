"""What keeps `--engine dask` close to the plain engine: the driver never loads the model's libraries, workers do
not run the caller's main script again, a LocalCluster of ours runs without Dask's profiling and dashboard sampling,
and only its own workers freeze their loaded objects (a cluster we connect to is left as it is)."""

from __future__ import annotations

import gc
import socket
import subprocess
import sys
import textwrap
import warnings
from contextlib import suppress
from pathlib import Path
from typing import Any

import dask
from typer.testing import CliRunner

from bondlens.cli import app
from bondlens.scale.run import LOCAL_CLUSTER_CONFIG, _client
from bondlens.scale.worker import ModelPlugin, load_count
from tests.scale.conftest import dialogues, write_jsonl


def test_the_driver_does_not_import_the_model_libraries() -> None:
    code = "import sys; import bondlens.scale; print(sorted(m for m in ('sklearn', 'skops') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_script_without_a_main_guard_is_not_run_again_by_the_workers(tmp_path: Path) -> None:
    """multiprocessing's spawn would run the script once more in every worker (here: to fail, starting a cluster
    while being imported); the script is run once, and what it gets is the plain engine's output."""
    source = write_jsonl(tmp_path / "in.jsonl", dialogues(120))
    script = tmp_path / "score.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys
            from pathlib import Path

            with Path(sys.argv[3]).open("a") as fh:
                fh.write("ran\\n")
            from bondlens.scale import classify_dask

            summary = classify_dask(sys.argv[1], sys.argv[2], workers=1, partition_size=50)
            print(summary.dialogues, summary.partitions, "sklearn" in sys.modules)
            """
        ),
        encoding="utf-8",
    )
    marker = tmp_path / "runs.txt"
    done = subprocess.run(
        [sys.executable, str(script), str(source), str(tmp_path / "out.jsonl"), str(marker)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["120", "3", "False"]  # and the driver never loaded scikit-learn
    assert marker.read_text(encoding="utf-8") == "ran\n"
    result = CliRunner().invoke(app, ["classify", str(source), "-o", str(tmp_path / "plain.jsonl")])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "plain.jsonl").read_bytes()


def _settings() -> dict[str, Any]:
    return {key: dask.config.get(key) for key in LOCAL_CLUSTER_CONFIG}


def test_local_workers_run_with_the_quiet_settings_and_freeze_after_the_model_loads() -> None:
    before = _settings()
    with socket.socket() as taken, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with suppress(OSError):  # Dask's default HTTP port, taken: no "Port 8787 is already in use" warning
            taken.bind(("127.0.0.1", 8787))
            taken.listen()
        with _client(None, 1) as client:
            assert list(client.run(_settings).values()) == [LOCAL_CLUSTER_CONFIG]
            assert list(client.run(gc.get_freeze_count).values()) == [0]
            client.register_plugin(ModelPlugin(freeze=True))
            assert list(client.run(load_count).values()) == [1]
            [frozen] = client.run(gc.get_freeze_count).values()
            assert frozen > 10_000  # the modules and the model, out of the collector's way
    assert not [w for w in caught if "already in use" in str(w.message)]
    assert _settings() == before  # this process's own Dask configuration is left as it was


def test_workers_of_a_cluster_we_connect_to_are_not_frozen(cluster: Any, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", dialogues(50))
    address = cluster.scheduler.address
    result = CliRunner().invoke(
        app, ["classify", str(source), "--engine", "dask", "--scheduler", address, "-o", str(tmp_path / "out.jsonl")]
    )
    assert result.exit_code == 0, result.stderr
    assert set(cluster.run(gc.get_freeze_count).values()) == {0}
