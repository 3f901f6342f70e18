"""Classifying a JSON Lines file of dialogues, in bounded batches, into a JSON Lines file of predictions.

Input: one ``{"id": ..., "text": "Name: utterance\\nName: utterance ..."}`` object per line (blank lines skipped).
Output: one ``{"schema_version", "id", "manipulative", "score", "techniques", "vulnerabilities", "tactics"}``
object per input dialogue, in input order. The output is written to a temporary file beside the target and renamed
into place only when every line has been read and classified, so a failed run leaves no partial file (and the old
file, if any, untouched). Memory stays bounded by the batch size, whatever the size of the input.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bondlens.errors import BondlensError, ImportFormatError
from bondlens.learned.features import count_turns
from bondlens.learned.model import MentalManipModel, Prediction, load_model

DEFAULT_BATCH = 512
SCHEMA_VERSION = "1"  # of each output line; src/bondlens/data/classify.schema.json describes it
DialogueId = str | int


class ClassifyInputError(ImportFormatError):
    """A line of a `bondlens classify` input file is not a ``{"id", "text"}`` object. Names the file and line."""


@dataclass(frozen=True, slots=True)
class ClassifySummary:
    """What a run did: dialogues and messages ("Name: utterance" turns) read, and how many were flagged."""

    dialogues: int
    messages: int
    manipulative: int


def output_record(prediction: Prediction) -> dict[str, Any]:
    """One output line of `bondlens classify` (any engine), as a JSON-ready dict: ``schema_version`` first."""
    return {"schema_version": SCHEMA_VERSION, **prediction.record()}


def _describe(value: object) -> str:
    return {list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(type(value), "a number")


def parse_line(path: Path, number: int, raw: bytes) -> tuple[DialogueId, str] | None:
    """The (id, text) of one input line; None for a blank line; a :class:`ClassifyInputError` otherwise."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ClassifyInputError(path, "not valid UTF-8 text", number) from None
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ClassifyInputError(path, f"not valid JSON ({exc.msg} at column {exc.colno})", number) from None
    if not isinstance(record, dict):
        raise ClassifyInputError(
            path, f'expected a JSON object {{"id": ..., "text": ...}}, found {_describe(record)}', number
        )
    if "id" not in record:
        raise ClassifyInputError(path, 'the object has no "id"', number)
    key = record["id"]
    if isinstance(key, bool) or not isinstance(key, str | int):
        raise ClassifyInputError(path, f'"id" must be a string or an integer, not {_describe(key)}', number)
    text = record.get("text")
    if not isinstance(text, str):
        found = "no" if "text" not in record else f"{_describe(text)} as"
        raise ClassifyInputError(path, f'the object has {found} "text" (a string of "Name: utterance" lines)', number)
    return key, text


def read_batches(
    path: Path, batch_size: int = DEFAULT_BATCH, progress: Callable[[int], None] | None = None
) -> Iterator[list[tuple[DialogueId, str]]]:
    """The dialogues of ``path`` in lists of at most ``batch_size``; ``progress(bytes_read)`` after each line."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise BondlensError(f"{path}: cannot read the input ({exc.strerror})") from None
    done = 0
    seen = 0
    batch: list[tuple[DialogueId, str]] = []
    with fh:
        for number, raw in enumerate(fh, start=1):
            done += len(raw)
            item = parse_line(path, number, raw)
            if progress is not None:
                progress(done)
            if item is None:
                continue
            seen += 1
            batch.append(item)
            if len(batch) >= batch_size:
                yield batch
                batch = []
    if batch:
        yield batch
    if seen == 0:
        raise ClassifyInputError(
            path,
            'no dialogues: the file is empty or holds only blank lines (one {"id", "text"} '
            "object per line is expected)",
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def classify_jsonl(
    input_path: str | Path,
    output_path: str | Path,
    *,
    model: MentalManipModel | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int], None] | None = None,
) -> ClassifySummary:
    """Classify every dialogue of ``input_path`` into ``output_path`` (atomically; readable only by you)."""
    source, target = Path(input_path), Path(output_path)
    if batch_size < 1:
        raise BondlensError("the batch size must be at least 1")
    if _same_file(source, target):
        raise BondlensError(f"{target}: the output would overwrite the input; choose another file")
    if target.is_dir():
        raise BondlensError(f"{target}: is a folder; give a file name for the output")
    chosen = model or load_model()
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise BondlensError(f"{target}: cannot write the output ({exc.strerror})") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            summary = _run(chosen, source, out, batch_size, progress)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise BondlensError(f"{target}: cannot write the output ({exc.strerror})") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return summary


def _run(
    model: MentalManipModel,
    source: Path,
    out: IO[str],
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> ClassifySummary:
    dialogues = messages = flagged = 0
    dumps = json.dumps
    for batch in read_batches(source, batch_size, progress):
        texts = [text for _, text in batch]
        predictions = model.predict(texts, [key for key, _ in batch])
        out.write("".join(dumps(output_record(p), ensure_ascii=False) + "\n" for p in predictions))
        dialogues += len(batch)
        messages += sum(count_turns(t) for t in texts)
        flagged += sum(p.manipulative for p in predictions)
    return ClassifySummary(dialogues, messages, flagged)
