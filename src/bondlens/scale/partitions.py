"""Cutting an input into partitions of bounded size, and reading one partition back (on a worker).

A JSON Lines partition is a byte range of the file and the number of its first line, so a worker reads it
itself; a gzip stream cannot be read from the middle, so its partitions carry their lines. A Parquet partition
is a run of rows of one row group. Line numbers (rows for Parquet) count from 1 over the whole input.

Nothing here imports ``bondlens.learned`` (scikit-learn) at module level: the driver plans partitions without ever
loading the model's libraries, and only a worker, reading a partition, needs them.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bondlens.errors import BondlensError

if TYPE_CHECKING:
    from bondlens.learned.batch import DialogueId

Kind = Literal["jsonl", "gz", "parquet"]
BLOCK = 1 << 23  # bytes read at a time while finding the partitions' line boundaries


def input_kind(path: Path) -> Kind:
    """How ``path`` is read: by its suffix (``.parquet``/``.pq``, ``.gz``, anything else is JSON Lines)."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    return "gz" if suffix == ".gz" else "jsonl"


def output_kind(path: Path) -> Kind:
    """How ``path`` is written, by the same rule as :func:`input_kind`."""
    return input_kind(path)


@dataclass(frozen=True, slots=True)
class Partition:
    """One unit of work. ``weight`` is its share of the progress bar (input bytes, or rows for Parquet)."""

    index: int
    kind: Kind
    path: str
    first_line: int
    start: int = 0  # byte offset (JSON Lines) or first row inside the row group (Parquet)
    end: int = 0  # byte offset after the last line (JSON Lines) or number of rows (Parquet)
    row_group: int = 0
    data: bytes | None = None  # the lines themselves (gzip input)
    weight: int = 0


def _cannot_read(path: Path, exc: OSError) -> BondlensError:
    return BondlensError(f"{path}: cannot read the input ({exc.strerror or exc})")


def plan_partitions(path: Path, size: int) -> Iterator[Partition]:
    """The partitions of ``path``, at most ``size`` dialogues (lines or rows) each, lazily and in input order."""
    if size < 1:
        raise BondlensError("the partition size must be at least 1")
    kind = input_kind(path)
    if kind == "parquet":
        return _plan_parquet(path, size)
    if kind == "gz":
        return _plan_gzip(path, size)
    return _plan_jsonl(path, size)


def _plan_jsonl(path: Path, size: int) -> Iterator[Partition]:
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise _cannot_read(path, exc) from None
    index = 0
    start = offset = 0
    first = 1
    lines = 0  # complete lines since ``start``
    with fh:
        while block := fh.read(BLOCK):
            pos = 0
            while True:
                found = block.count(b"\n", pos)
                if lines + found < size:
                    lines += found
                    break
                for _ in range(size - lines):
                    pos = block.index(b"\n", pos) + 1
                end = offset + pos
                yield Partition(index, "jsonl", str(path), first, start, end, weight=end - start)
                index += 1
                start, first, lines = end, first + size, 0
            offset += len(block)
    if offset > start:
        yield Partition(index, "jsonl", str(path), first, start, offset, weight=offset - start)


def _plan_gzip(path: Path, size: int) -> Iterator[Partition]:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise _cannot_read(path, exc) from None
    index = 0
    first = 1
    done = 0
    with raw, gzip.GzipFile(fileobj=raw, mode="rb") as fh:
        chunk: list[bytes] = []
        try:
            for line in fh:
                chunk.append(line)
                if len(chunk) >= size:
                    where = raw.tell()
                    yield Partition(index, "gz", str(path), first, data=b"".join(chunk), weight=where - done)
                    index, first, done, chunk = index + 1, first + len(chunk), where, []
        except (OSError, EOFError) as exc:
            raise BondlensError(f"{path}: not a readable gzip file ({exc})") from None
        if chunk:
            yield Partition(index, "gz", str(path), first, data=b"".join(chunk), weight=raw.tell() - done)


def _plan_parquet(path: Path, size: int) -> Iterator[Partition]:
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    try:
        pf = pq.ParquetFile(path)
    except OSError as exc:
        raise _cannot_read(path, exc) from None
    except Exception as exc:  # pyarrow raises its own ArrowInvalid for a file that is not Parquet
        raise BondlensError(f"{path}: not a readable Parquet file ({exc})") from None
    names = set(pf.schema_arrow.names)
    missing = [c for c in ("id", "text") if c not in names]
    if missing:
        from bondlens.learned.batch import ClassifyInputError

        raise ClassifyInputError(path, f"the Parquet file has no {' and no '.join(repr(c) for c in missing)} column")
    index = 0
    first = 1
    for group in range(pf.metadata.num_row_groups):
        rows = pf.metadata.row_group(group).num_rows
        for start in range(0, rows, size):
            count = min(size, rows - start)
            yield Partition(index, "parquet", str(path), first, start, count, row_group=group, weight=count)
            index += 1
            first += count


if TYPE_CHECKING:
    Row = tuple[int, DialogueId, str]  # (line or row number, id, text)
    BadRow = tuple[int, str]  # (line or row number, what is wrong)


def read_partition(part: Partition) -> Iterator[Row | BadRow]:
    """The dialogues of ``part`` as (line, id, text); a bad line as (line, reason); blank lines skipped."""
    from bondlens.learned.batch import ClassifyInputError, parse_line

    if part.kind == "parquet":
        yield from _read_parquet(part)
        return
    if part.data is not None:
        data = part.data
    else:
        with Path(part.path).open("rb") as fh:
            fh.seek(part.start)
            data = fh.read(part.end - part.start)
    path = Path(part.path)
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    for number, raw in enumerate(lines, start=part.first_line):
        try:
            item = parse_line(path, number, raw)
        except ClassifyInputError as exc:
            yield number, exc.reason
            continue
        if item is not None:
            yield number, item[0], item[1]


def _describe(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _read_parquet(part: Partition) -> Iterator[Row | BadRow]:
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    pf = pq.ParquetFile(part.path)
    skip = part.start
    left = part.end
    number = part.first_line
    for batch in pf.iter_batches(
        batch_size=min(max(left, 1), 8192), row_groups=[part.row_group], columns=["id", "text"]
    ):
        ids = batch.column(0).to_pylist()
        texts = batch.column(1).to_pylist()
        if skip >= len(ids):
            skip -= len(ids)
            continue
        for key, text in zip(ids[skip:], texts[skip:], strict=True):
            if left == 0:
                return
            left -= 1
            if isinstance(key, bool) or not isinstance(key, str | int):
                yield number, f'"id" must be a string or an integer, not {_describe(key)}'
            elif not isinstance(text, str):
                yield number, f'"text" must be a string, not {_describe(text)}'
            else:
                yield number, key, text
            number += 1
        skip = 0
        if left == 0:
            return
