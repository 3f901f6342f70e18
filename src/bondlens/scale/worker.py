"""What runs on a Dask worker: the model, loaded once per worker process, and the scoring of one partition.

The model is held in a module-level cache of the worker process: :class:`ModelPlugin` loads it when the worker
joins (or the first task loads it), and every later task on that worker reuses it. ``LOADS`` counts the loads.
The model's libraries (scikit-learn, through ``bondlens.learned``) are imported by that first load, not with this
module: the driver imports this module too, and never needs them.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bondlens.scale.partitions import Kind, Partition, read_partition

if TYPE_CHECKING:
    from bondlens.learned.batch import DialogueId
    from bondlens.learned.model import MentalManipModel, Prediction

_MODEL: MentalManipModel | None = None
LOADS = 0  # how many times this process loaded the model: 1 on every worker after a run


def worker_model() -> MentalManipModel:
    """This process's model, loaded on first use and kept for every later task."""
    global _MODEL, LOADS
    if _MODEL is None:
        from bondlens.learned.model import load_model

        _MODEL = load_model()
        LOADS += 1
    return _MODEL


def load_count() -> int:
    """How many times this process loaded the model (run on each worker with ``client.run``)."""
    return LOADS


def peak_memory() -> int:
    """Peak resident memory of this process, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


try:
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover - only without the optional dask dependency
    WorkerPlugin = object  # type: ignore[assignment,misc]


class ModelPlugin(WorkerPlugin):  # type: ignore[misc,unused-ignore]
    """Loads the model once when a worker starts, before its first task.

    With ``freeze`` (only for the workers a run starts itself, never on a cluster it merely connects to), everything
    the worker holds once the model is loaded (its libraries' modules and the model, all kept for the life of the
    process) is moved out of the garbage collector's sight with :func:`gc.freeze`. Nothing changes while it scores;
    but it exits in a few hundredths of a second instead of spending about a quarter of a second collecting those
    objects one last time, on the path of every run's end.
    """

    name = "bondlens-model"

    def __init__(self, freeze: bool = False) -> None:
        self.freeze = freeze

    def setup(self, worker: Any) -> None:
        worker_model()
        if self.freeze:
            gc.freeze()


@dataclass(frozen=True, slots=True)
class PartResult:
    """What a worker reports for a partition: counts, the bad lines (line, reason), and whether it stopped."""

    index: int
    dialogues: int = 0
    messages: int = 0
    manipulative: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)
    stopped: bool = False  # a bad line without --skip-bad: no part file was written


def part_name(index: int, kind: Kind) -> str:
    return f"part-{index:06d}." + ("parquet" if kind == "parquet" else "jsonl")


def score_partition(part: Partition, parts_dir: str, out_kind: Kind, skip_bad: bool) -> PartResult:
    """Score every dialogue of ``part`` into its part file in ``parts_dir`` (written atomically)."""
    from bondlens.learned.batch import DEFAULT_BATCH, output_record
    from bondlens.learned.features import count_turns

    model = worker_model()
    keys: list[DialogueId] = []
    texts: list[str] = []
    bad: list[tuple[int, str]] = []
    for row in read_partition(part):
        if len(row) == 2:
            bad.append(row)
            if not skip_bad:
                return PartResult(part.index, bad=bad, stopped=True)
            continue
        keys.append(row[1])
        texts.append(row[2])
    predictions: list[Prediction] = []
    for at in range(0, len(texts), DEFAULT_BATCH):
        predictions += model.predict(texts[at : at + DEFAULT_BATCH], keys[at : at + DEFAULT_BATCH])
    target = Path(parts_dir) / part_name(part.index, out_kind)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parts_dir)
    try:
        if out_kind == "parquet":
            os.close(fd)
            write_parquet_part(Path(temp), predictions)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                out.write("".join(json.dumps(output_record(p), ensure_ascii=False) + "\n" for p in predictions))
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return PartResult(
        part.index,
        dialogues=len(predictions),
        messages=sum(count_turns(t) for t in texts),
        manipulative=sum(p.manipulative for p in predictions),
        bad=bad,
    )


def parquet_schema() -> Any:
    """The columns of Parquet output: those of classify.schema.json, ``id`` as a string."""
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    words = pa.list_(pa.string())
    return pa.schema(
        [
            ("schema_version", pa.string()),
            ("id", pa.string()),
            ("manipulative", pa.bool_()),
            ("score", pa.float64()),
            ("techniques", words),
            ("vulnerabilities", words),
            ("tactics", words),
        ]
    )


def write_parquet_part(path: Path, predictions: list[Prediction]) -> None:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    from bondlens.learned.batch import output_record

    records = [output_record(p) for p in predictions]
    columns: dict[str, list[Any]] = {name: [r[name] for r in records] for name in parquet_schema().names}
    columns["id"] = [str(key) for key in columns["id"]]
    pq.write_table(pa.Table.from_pydict(columns, schema=parquet_schema()), path)
