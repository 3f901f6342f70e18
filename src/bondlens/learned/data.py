"""Reading MentalManip (Wang et al., ACL 2024; CC BY-NC 4.0) in place, and the training sets of the shipped model.

The data is never copied into the repository or the package. Files: ``{con,maj}_{train,valid}.jsonl``, one
``{"id", "text", "manipulative", "techniques", "vulnerabilities"}`` object per line (see the data's README).
``con`` = consensus labels (all annotators agreed), ``maj`` = majority labels; ``con`` is a subset of ``maj``,
so every training set here is built with the evaluated validation dialogues removed (by id and by text).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from bondlens.errors import BondlensError, ImportFormatError
from bondlens.learned.labels import normalise_label

Task = Literal["con", "maj"]
LabelKind = Literal["techniques", "vulnerabilities"]
TASKS: tuple[Task, ...] = ("con", "maj")
DATA_ENV = "BONDLENS_MENTALMANIP_DIR"
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Dialogue:
    """One labelled MentalManip dialogue ("Person1: ...\\nPerson2: ...")."""

    id: str
    text: str
    manipulative: bool
    techniques: tuple[str, ...]
    vulnerabilities: tuple[str, ...]


@dataclass(frozen=True)
class TrainingSets:
    """What each part of the model is fitted on, and the validation dialogues kept out of all of them."""

    task: Task
    binary: tuple[Dialogue, ...]  # manipulative or not
    techniques: tuple[Dialogue, ...]  # dialogues with at least one technique
    vulnerabilities: tuple[Dialogue, ...]  # dialogues with at least one vulnerability
    valid: tuple[Dialogue, ...]


def default_data_dir() -> Path:
    """``$BONDLENS_MENTALMANIP_DIR``, else ``shared/data/mentalmanip`` beside the source checkout."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[3]  # src/bondlens/learned/data.py -> the repository
    return checkout.parent / "shared" / "data" / "mentalmanip"


def _labels(path: Path, line: int, values: object, kind: str) -> tuple[str, ...]:
    if values is None:
        return ()
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ImportFormatError(path, f"{kind!r} must be a list of names", line)
    out: set[str] = set()
    for value in values:
        name = normalise_label(value)
        if name is None:
            raise ImportFormatError(path, f"unknown MentalManip {kind[:-1]} {value!r}", line)
        out.add(name)
    return tuple(sorted(out))


def load_split(data_dir: str | Path, name: str) -> list[Dialogue]:
    """One file (``con_train`` ...) of the data set, label spellings normalised."""
    path = Path(data_dir) / f"{name}.jsonl"
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise BondlensError(
            f"{path}: cannot read the MentalManip data ({exc.strerror}); pass its folder or set {DATA_ENV}"
        ) from None
    rows: list[Dialogue] = []
    with fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ImportFormatError(path, f"not valid JSON ({exc.msg})", number) from None
            if not isinstance(record, dict) or not isinstance(record.get("text"), str) or "id" not in record:
                raise ImportFormatError(path, 'expected an object with "id", "text" and "manipulative"', number)
            rows.append(
                Dialogue(
                    id=str(record["id"]),
                    text=record["text"],
                    manipulative=bool(record.get("manipulative")),
                    techniques=_labels(path, number, record.get("techniques"), "techniques"),
                    vulnerabilities=_labels(path, number, record.get("vulnerabilities"), "vulnerabilities"),
                )
            )
    return rows


def _without(dialogues: Sequence[Dialogue], banned: Sequence[Dialogue]) -> list[Dialogue]:
    keys = {d.id for d in banned} | {d.text for d in banned}
    return [d for d in dialogues if d.id not in keys and d.text not in keys]


def training_sets(data_dir: str | Path | None = None, task: Task = "con") -> TrainingSets:
    """The recipe of ``bench/mentalmanip_experiments/NOTES.md``.

    ``con``: binary and technique heads on ``con_train``; the vulnerability head also on the ``maj_train``
    dialogues that are in neither ``con_train`` nor ``con_valid`` (it helped that head on validation, and hurt
    the others). ``maj``: everything on ``maj_train`` (``con_train`` adds nothing that is not in ``maj``).
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    train = load_split(folder, f"{task}_train")
    valid = load_split(folder, f"{task}_valid")
    train = _without(train, valid)
    extra: list[Dialogue] = []
    if task == "con":
        extra = _without(_without(load_split(folder, "maj_train"), valid), train)
    return TrainingSets(
        task=task,
        binary=tuple(train),
        techniques=tuple(d for d in train if d.techniques),
        vulnerabilities=tuple(d for d in [*train, *extra] if d.vulnerabilities),
        valid=tuple(valid),
    )


def binary_labels(dialogues: Sequence[Dialogue]) -> IntArray:
    return np.array([int(d.manipulative) for d in dialogues], dtype=np.int64)


def label_matrix(dialogues: Sequence[Dialogue], names: Sequence[str], kind: LabelKind) -> IntArray:
    """One column per name, 1 where the dialogue carries that technique (or vulnerability)."""
    y = np.zeros((len(dialogues), len(names)), dtype=np.int64)
    column = {name: j for j, name in enumerate(names)}
    for i, d in enumerate(dialogues):
        for name in d.techniques if kind == "techniques" else d.vulnerabilities:
            y[i, column[name]] = 1
    return y
