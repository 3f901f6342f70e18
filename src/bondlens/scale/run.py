"""The driver of `bondlens classify --engine dask`: plan partitions, hand them to workers, record, assemble.

Without a scheduler address it starts a :class:`distributed.LocalCluster` on this machine (worker processes with
one thread each, listening on 127.0.0.1 only, no dashboard); with one it connects to an existing cluster, whose
workers must see INPUT and OUTPUT's folder at the same paths (shared storage). At most two partitions per worker
thread are in flight, so the driver's memory does not grow with the input either.

What one local worker costs over the plain engine is kept to its start: the driver never imports the model's
libraries (only workers do), the workers do not run the command's ``__main__`` again, a cluster of ours runs without
Dask's dashboard-only sampling (:data:`LOCAL_CLUSTER_CONFIG`), and its workers freeze what they hold once the model
is loaded, so that they exit at once (:class:`~bondlens.scale.worker.ModelPlugin`).

Part files and ``state.json`` live in ``.OUTPUT.parts/`` beside OUTPUT; the state names the input (path, size,
modification time), the partition size and the output format, and the partitions already finished. ``resume``
reuses them only when all of that is unchanged. OUTPUT is written atomically at the end (readable only by you)
and the parts folder is then removed.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bondlens.errors import BondlensError
from bondlens.scale.partitions import Kind, Partition, input_kind, output_kind, plan_partitions
from bondlens.scale.worker import ModelPlugin, PartResult, parquet_schema, part_name, peak_memory, score_partition

DEFAULT_PARTITION = 10_000  # dialogues per partition: a few MB of text, a few seconds of work
STATE = "state.json"
KEPT_BAD = 20  # bad lines kept per partition for the summary (all are counted)

Progress = Callable[[int, int | None], None]  # (done, total) in input bytes, or rows for Parquet


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line (a row for Parquet) that is not a ``{"id", "text"}`` dialogue. ``partition`` counts from 1."""

    partition: int
    line: int
    reason: str

    def describe(self, path: Path | str) -> str:
        return f"{path}:{self.line} (partition {self.partition}): {self.reason}"


def __getattr__(name: str) -> Any:
    # BadLineError lives in bondlens.scale.errors (it loads scikit-learn); still importable from here
    if name == "BadLineError":
        from bondlens.scale.errors import BadLineError

        return BadLineError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, slots=True)
class DaskSummary:
    """What a Dask run did. ``bad`` holds the first skipped lines (``skipped`` counts them all)."""

    dialogues: int
    messages: int
    manipulative: int
    skipped: int
    bad: tuple[BadLine, ...]
    partitions: int
    resumed: int  # partitions finished by an earlier run and not scored again
    workers: int
    worker_peak_memory: tuple[int, ...]  # bytes, one per worker


def parts_folder(target: Path) -> Path:
    """Where the part files and the state of a run writing ``target`` are kept."""
    return target.parent / f".{target.name}.parts"


def _fingerprint(source: Path, partition_size: int, out_kind: Kind) -> dict[str, Any]:
    try:
        stat = source.stat()
    except OSError as exc:
        raise BondlensError(f"{source}: cannot read the input ({exc.strerror})") from None
    if source.is_dir():
        raise BondlensError(f"{source}: is a folder; give the input file")
    return {
        "input": str(source.resolve()),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "partition_size": partition_size,
        "output": out_kind,
    }


def _clear(folder: Path) -> None:
    """Remove a parts folder of ours (only the files a run writes there)."""
    if not folder.is_dir():
        return
    for item in folder.iterdir():
        if item.name == STATE or item.name.startswith(("part-", ".part-")):
            item.unlink(missing_ok=True)
    with suppress(OSError):
        folder.rmdir()


def _write_state(folder: Path, state: dict[str, Any]) -> None:
    temp = folder / f".{STATE}.tmp"
    temp.write_text(json.dumps(state, indent=1), encoding="utf-8")
    os.replace(temp, folder / STATE)


def _load_state(folder: Path, fingerprint: dict[str, Any], kind: Kind) -> dict[str, Any] | None:
    try:
        state = json.loads((folder / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("fingerprint") != fingerprint:
        raise BondlensError(
            f"{folder / STATE}: the input, the partition size or the output format changed since the "
            "interrupted run, so its results cannot be reused; run again without --resume"
        )
    done = state.get("done", {})
    # a partition counts as finished only while its part file is still there
    state["done"] = {k: v for k, v in done.items() if (folder / part_name(int(k), kind)).is_file()}
    return state


# Dask settings for a LocalCluster started here. All are about Dask's own bookkeeping; none changes what is computed
# or where. A worker thread scores one partition for seconds on end, and each periodic job of an idle event loop
# takes CPU time and the GIL from it (or, in the driver, a core from the other workers): the defaults sample the
# working thread's stack every 10 ms (a profile for the dashboard, which is off), check every process's event loop
# every 20 ms, sample CPU, memory, disk and network counters twice a second (for the dashboard and the scheduler's
# statistics; memory limits are watched by a separate monitor, left as it is), and look for tasks to steal ten times
# a second, where at most two partitions per worker thread are ever queued.
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.scheduler.work-stealing": False,
}


@contextmanager
def _main_not_rerun() -> Iterator[None]:
    """While worker processes are started: do not make them run this program's ``__main__`` again.

    Dask starts workers with multiprocessing's "spawn", which runs the parent's main script once more in every new
    process, as ``__mp_main__``: for the `bondlens` command, importing the whole command line (about a second of
    imports, half the start of a worker, none of it used there). A worker needs nothing from ``__main__`` (its tasks
    are functions of this package), so the script's path is hidden while the workers start, exactly as under
    ``python -m bondlens``, where multiprocessing already skips it. Only the path of a script run directly is hidden.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


@contextmanager
def _client(scheduler: str | None, workers: int) -> Iterator[Any]:
    try:
        import dask
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise BondlensError(
            "the Dask engine needs the optional packages dask[distributed] and pyarrow "
            "(pip install 'dask[distributed]>=2024' 'pyarrow>=15')"
        ) from None
    if scheduler:
        try:
            client = Client(scheduler, timeout="15s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as exc:
            raise BondlensError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
        with client:
            yield client
        return
    # the nannies keep this configuration for the workers they start (and restart)
    with dask.config.set(LOCAL_CLUSTER_CONFIG), _main_not_rerun():
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # the scheduler serves a few HTTP routes (health, metrics) even without a dashboard, by default on port
            # 8787, warning on stderr when that is taken (by any other Dask cluster); any free port will do
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        )
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client


def classify_dask(
    input_path: str | Path,
    output_path: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    partition_size: int = DEFAULT_PARTITION,
    skip_bad: bool = False,
    resume: bool = False,
    progress: Progress | None = None,
) -> DaskSummary:
    """Classify every dialogue of ``input_path`` into ``output_path`` on a Dask cluster (see the module doc)."""
    source, target = Path(input_path), Path(output_path)
    if partition_size < 1:
        raise BondlensError("the partition size must be at least 1")
    if workers is not None and workers < 1:
        raise BondlensError("the number of workers must be at least 1")
    out_kind = output_kind(target)
    fingerprint = _fingerprint(source, partition_size, out_kind)
    if target.exists() and target.samefile(source):
        raise BondlensError(f"{target}: the output would overwrite the input; choose another file")
    if target.is_dir():
        raise BondlensError(f"{target}: is a folder; give a file name for the output")
    folder = parts_folder(target)
    state = _load_state(folder, fingerprint, out_kind) if resume else None
    if state is None:
        _clear(folder)
        state = {"fingerprint": fingerprint, "done": {}}
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        _write_state(folder, state)
    except OSError as exc:
        raise BondlensError(f"{target}: cannot write the output ({exc.strerror})") from None
    done: dict[str, dict[str, Any]] = state["done"]
    resumed = len(done)
    total = _total(source)
    with _client(scheduler, workers or os.cpu_count() or 1) as client:
        client.register_plugin(ModelPlugin(freeze=not scheduler))
        count, stop = _score(client, source, folder, out_kind, partition_size, skip_bad, state, total, progress)
        peaks = client.run(peak_memory)
    if stop is not None:
        from bondlens.scale.errors import BadLineError

        raise BadLineError(source, stop)
    summary = _summary(done, count, resumed, tuple(peaks.values()))
    if summary.dialogues == 0:
        from bondlens.learned.batch import ClassifyInputError

        reason = 'no dialogues: the file is empty or holds only blank lines (one {"id", "text"} object per line)'
        if summary.skipped:
            reason = f"no dialogues: all {summary.skipped:,} non-blank lines were bad and skipped"
        raise ClassifyInputError(source, reason)
    _assemble(folder, target, out_kind, count)
    _clear(folder)
    return summary


def _total(source: Path) -> int | None:
    if input_kind(source) != "parquet":
        return source.stat().st_size or None
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    try:
        return int(pq.ParquetFile(source).metadata.num_rows)
    except Exception:  # an unreadable file is reported, with its reason, when it is planned
        return None


def _score(
    client: Any,
    source: Path,
    folder: Path,
    out_kind: Kind,
    partition_size: int,
    skip_bad: bool,
    state: dict[str, Any],
    total: int | None,
    progress: Progress | None,
) -> tuple[int, BadLine | None]:
    """Run the unfinished partitions; return (number of partitions, the bad line that stopped the run or None)."""
    done: dict[str, dict[str, Any]] = state["done"]
    limit = 2 * max(1, sum(client.nthreads().values()))
    pending: dict[Any, Partition] = {}
    progressed = 0
    count = 0
    stop: BadLine | None = None

    def collect(finished: set[Any]) -> None:
        nonlocal progressed, stop
        for future in finished:
            part = pending.pop(future)
            result: PartResult = future.result()
            progressed += part.weight
            if result.stopped:
                line, reason = result.bad[0]
                if stop is None or (part.index, line) < (stop.partition - 1, stop.line):
                    stop = BadLine(part.index + 1, line, reason)
                continue
            done[str(part.index)] = {
                "dialogues": result.dialogues,
                "messages": result.messages,
                "manipulative": result.manipulative,
                "skipped": len(result.bad),
                "bad": result.bad[:KEPT_BAD],
            }
            _write_state(folder, state)
        if progress is not None:
            progress(progressed, total)

    try:
        for part in plan_partitions(source, partition_size):
            count += 1
            if str(part.index) in done:
                progressed += part.weight
                continue
            if stop is not None:
                break
            while len(pending) >= limit:
                collect(_first_done(pending))
            future = client.submit(score_partition, part, str(folder), out_kind, skip_bad, pure=False)
            pending[future] = part
        while pending:  # after a bad line too: what is already running is finished and recorded, for --resume
            collect(_first_done(pending))
    finally:
        for future in pending:
            future.cancel()
    return count, stop


def _first_done(pending: dict[Any, Partition]) -> set[Any]:
    from dask.distributed import wait

    finished = wait(list(pending), return_when="FIRST_COMPLETED")  # type: ignore[no-untyped-call]
    return set(finished.done)


def _summary(done: dict[str, dict[str, Any]], count: int, resumed: int, peaks: tuple[int, ...]) -> DaskSummary:
    bad = [
        BadLine(int(k) + 1, int(line), str(reason)) for k in sorted(done, key=int) for line, reason in done[k]["bad"]
    ]
    return DaskSummary(
        dialogues=sum(v["dialogues"] for v in done.values()),
        messages=sum(v["messages"] for v in done.values()),
        manipulative=sum(v["manipulative"] for v in done.values()),
        skipped=sum(v["skipped"] for v in done.values()),
        bad=tuple(bad),
        partitions=count,
        resumed=resumed,
        workers=len(peaks),
        worker_peak_memory=peaks,
    )


def _assemble(folder: Path, target: Path, kind: Kind, count: int) -> None:
    """Join the part files, in partition order, into ``target`` (atomically, readable only by you)."""
    parts = [folder / part_name(i, kind) for i in range(count)]
    out_folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=out_folder)
    except OSError as exc:
        raise BondlensError(f"{target}: cannot write the output ({exc.strerror})") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as raw:
            if kind == "parquet":
                _join_parquet(parts, raw)
            elif kind == "gz":
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as packed:
                    _join_lines(parts, packed)
            else:
                _join_lines(parts, raw)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise BondlensError(f"{target}: cannot write the output ({exc.strerror})") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _join_lines(parts: list[Path], out: Any) -> None:
    for part in parts:
        with part.open("rb") as fh:
            shutil.copyfileobj(fh, out, 1 << 20)


def _join_parquet(parts: list[Path], out: Any) -> None:
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    with pq.ParquetWriter(out, parquet_schema()) as writer:
        for part in parts:
            writer.write_table(pq.read_table(part, schema=parquet_schema()))
