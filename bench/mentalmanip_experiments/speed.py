"""Speed on one core (messages/s) and skops size of candidate models, beside the MiniLM-embedding pipeline.

    taskset -c 0 env OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 /work/exp-venv/bin/python \
        bench/mentalmanip_experiments/speed.py [--minilm]

Messages are "Name: utterance" lines. The input is the con_valid + maj_valid dialogues, repeated until there
are at least 20,000 messages; every model is fitted on con_train first (fitting is not timed here).
"""

# ruff: noqa: E402  (thread and offline settings must be set before numpy/torch load)

from __future__ import annotations

import argparse
import os
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

import numpy as np
import skops.io as sio
from exp_linear import char, lr, word
from features import SpeakerStats
from mmdata import load, messages, texts
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import StandardScaler

CANDIDATES: dict[str, Callable[[], Any]] = {
    "word12_lr": lambda: make_pipeline(word(), lr(0.3)),
    "word12+stats_lr": lambda: make_pipeline(
        FeatureUnion([("w", word()), ("s", make_pipeline(SpeakerStats(), StandardScaler()))]), lr(3.0)
    ),
    "wordchar_lr": lambda: make_pipeline(FeatureUnion([("w", word()), ("c", char())]), lr(0.3)),
}


def rate(fn: Callable[[list[str]], Any], docs: list[str], n_msgs: int, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(docs)
        best = min(best, time.perf_counter() - t0)
    return n_msgs / best


def size_and_roundtrip(model: Any, probe: list[str]) -> tuple[int, bool]:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "m.skops"
        sio.dump(model, p, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        size = p.stat().st_size
        untrusted = sio.get_untrusted_types(file=p)
        loaded = sio.load(p, trusted=untrusted)
        same = bool(np.allclose(loaded.predict_proba(probe), model.predict_proba(probe)))
        print(f"  skops untrusted types to allow: {untrusted}")
    return size, same


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minilm", action="store_true")
    a = ap.parse_args()
    train = load("con_train")
    base = load("con_valid") + load("maj_valid")
    docs: list[str] = []
    n = 0
    while n < 20000:
        docs += texts(base)
        n += messages(base)
    print(f"input: {len(docs)} dialogues, {n} messages; cores visible: {len(os.sched_getaffinity(0))}")
    x, y = texts(train), np.array([int(d.manipulative) for d in train])
    for name, make in CANDIDATES.items():
        m = make().fit(x, y)
        r = rate(m.predict_proba, docs, n)
        size, same = size_and_roundtrip(m, x[:50])
        print(
            f"{name}: {r:,.0f} messages/s, {r * len(docs) / n:,.0f} dialogues/s; "
            f"skops (deflate) {size / 1e6:.2f} MB, reload identical: {same}"
        )
    if a.minilm:
        import torch  # type: ignore[import-not-found]

        torch.set_num_threads(1)
        from exp_embed import minilm

        enc = minilm()
        sub = docs[: len(base)]
        sub_n = messages(base)
        r = rate(lambda d: enc.encode(d, batch_size=32), sub, sub_n, repeat=1)
        print(f"MiniLM dialogue embedding (+LR, negligible): {r:,.0f} messages/s")
        from features import split_turns

        utts = [u for t in sub for _, u in split_turns(t)]
        r2 = rate(lambda _d: enc.encode(utts, batch_size=64), sub, sub_n, repeat=1)
        print(f"MiniLM per-utterance embedding (+pooling, LR): {r2:,.0f} messages/s")


if __name__ == "__main__":
    main()
