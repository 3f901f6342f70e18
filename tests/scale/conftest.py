"""Shared by the Dask tests: a few thousand real-looking dialogues, and one small cluster for the whole folder."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, ROOT

MENTALMANIP = ROOT.parent / "shared" / "data" / "mentalmanip"


def source_texts() -> list[str]:
    """Dialogue texts: the MentalManip dialogues when the shared data is there, else made from examples/."""
    texts: list[str] = []
    if MENTALMANIP.is_dir():
        from bondlens.learned.data import load_split

        for portion in ("con_train", "maj_valid"):
            texts += [d.text for d in load_split(MENTALMANIP, portion)]
    if not texts:
        lines = [json.loads(line) for line in (EXAMPLES / "chat.jsonl").read_text(encoding="utf-8").splitlines()]
        turns = [f"{m['sender']}: {m['text']}" for m in lines if m.get("text")]
        rng = random.Random(10)
        texts = ["\n".join(rng.sample(turns, rng.randint(2, 6))) for _ in range(500)]
    return texts


def dialogues(count: int) -> list[dict[str, Any]]:
    texts = source_texts()
    return [{"id": f"d{i}" if i % 3 else i, "text": texts[i % len(texts)]} for i in range(count)]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="package")
def cluster() -> Iterator[Any]:
    """A LocalCluster of 2 worker processes on 127.0.0.1, shared by the tests that pass --scheduler."""
    from dask.distributed import Client, LocalCluster

    local = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    with local, Client(local) as client:  # type: ignore[no-untyped-call]
        yield client
