"""The shipped learned detector on MentalManip's validation portions (issue 5): figures, and the model file.

    .venv/bin/python bench/mentalmanip.py [--data DIR] [--write] [--write-model]

Trains the shipped recipe (``bondlens.learned.train``: stack_lr[word12+stats] on con_train, technique and
vulnerability heads) from ``../shared/data/mentalmanip`` (beside the repository), scores the VALIDATION portions
only (the test portions are held out and measured by others) and prints accuracy, precision, recall, F1,
macro-F1 and ROC-AUC of the binary decision, and micro-F1, macro-F1 and exact match of the technique and
vulnerability heads (over dialogues with at least one label, as the MentalManip paper). ``maj`` figures come
from the same recipe trained on maj_train (the con model has seen 348 maj_valid dialogues in training).

``--write`` records the figures in bench/RESULTS.md ("## MentalManip detector (issue 5)"); ``--write-model``
rewrites the shipped file ``src/bondlens/learned/models/mentalmanip-v1.skops`` (training is deterministic, so
an unchanged recipe reproduces it byte for byte; the script says whether it did).
"""

# ruff: noqa: E402  (the BLAS thread settings must be made before numpy loads)

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, command_line, machine, write_section

from bondlens.learned.data import Dialogue, IntArray, LabelKind, Task, binary_labels, label_matrix, training_sets
from bondlens.learned.detector import FINDING_THRESHOLD
from bondlens.learned.labels import TECHNIQUES, VULNERABILITIES
from bondlens.learned.metrics import (
    FloatArray,
    best_threshold,
    binary_scores,
    bootstrap_ci,
    decide_labels,
    multilabel_scores,
)
from bondlens.learned.model import MentalManipModel
from bondlens.learned.train import VALIDATED_THRESHOLD, fit

DATA = ROOT.parent / "shared" / "data" / "mentalmanip"
MODEL_FILE = ROOT / "src" / "bondlens" / "learned" / "models" / "mentalmanip-v1.skops"
EXPERIMENTS = ROOT / "bench" / "mentalmanip_experiments" / "results.jsonl"
HEADING = "## MentalManip detector (issue 5)"
EXPERIMENTS_HEADING = "## MentalManip experiments"
# the bar (binary on con unless said otherwise)
TARGETS = {"con_accuracy": 0.80, "con_macro_f1": 0.76, "maj_macro_f1": 0.66, "technique_micro_f1": 0.50}
PUBLISHED = (
    ("MentalMAD (4B LLM distilled from a reasoning model)", 0.786, 0.729),
    ("GPT-4, intent-aware prompting", 0.726, 0.685),
    ("GPT-4, zero-shot", 0.677, 0.649),
    ("TF-IDF words + logistic regression (baseline)", 0.72, 0.67),
    ('always "manipulative"', 0.68, 0.41),
)


def full_matrix(scores: FloatArray, names: tuple[str, ...], all_names: tuple[str, ...]) -> FloatArray:
    """Head scores spread over every MentalManip label (0 for labels the head never saw)."""
    out = np.zeros((scores.shape[0], len(all_names)), dtype=np.float64)
    for j, name in enumerate(names):
        out[:, all_names.index(name)] = scores[:, j]
    return out


def head_figures(model: MentalManipModel, valid: tuple[Dialogue, ...], flagged: set[str]) -> dict[str, Any]:
    """Each head on the validation dialogues with at least one label of its kind: alone (the paper's protocol)
    and as `classify` emits it (nothing for a dialogue the binary model does not flag)."""
    out: dict[str, Any] = {}
    kinds: tuple[tuple[LabelKind, tuple[str, ...]], ...] = (
        ("techniques", TECHNIQUES),
        ("vulnerabilities", VULNERABILITIES),
    )
    for kind, all_names in kinds:
        rows = [d for d in valid if (d.techniques if kind == "techniques" else d.vulnerabilities)]
        texts = [d.text for d in rows]
        if kind == "techniques":
            scores = full_matrix(model.technique_scores(texts), model.technique_names, all_names)
            threshold = model.technique_threshold
        else:
            scores = full_matrix(model.vulnerability_scores(texts), model.vulnerability_names, all_names)
            threshold = model.vulnerability_threshold
        y = label_matrix(rows, all_names, kind)
        pred = decide_labels(scores, threshold)
        gated = pred * np.array([[d.id in flagged] for d in rows], dtype=np.int64)
        out[kind] = {"head": multilabel_scores(y, pred), "as_classify": multilabel_scores(y, gated)}
    return out


def evaluate(task: Task, data: Path) -> tuple[MentalManipModel, dict[str, Any]]:
    sets = training_sets(data, task)
    began = time.perf_counter()
    model, oof = fit(sets)
    train_s = time.perf_counter() - began
    y_train = binary_labels(sets.binary)
    valid = sets.valid
    y = binary_labels(valid)
    began = time.perf_counter()
    score = model.scores([d.text for d in valid])
    score_s = time.perf_counter() - began
    thr_val = best_threshold(y, score)
    thr_train = best_threshold(y_train, oof)
    shipped = VALIDATED_THRESHOLD[task]
    figures: dict[str, Any] = {
        "task": task,
        "n_train": len(sets.binary),
        "n_valid": len(valid),
        "share_manipulative": float(y.mean()),
        "train_s": train_s,
        "score_s": score_s,
        "thresholds": {"model": shipped, "valid_best": thr_val, "train_oof": thr_train},
        "at_model_threshold": binary_scores(y, score, shipped),
        "at_train_threshold": binary_scores(y, score, thr_train),
        "ci_at_model_threshold": bootstrap_ci(y, score, shipped),
        "always_manipulative": binary_scores(y, np.ones(len(y)), 0.5),
        "detector": detector_point(y, score),
    }
    flagged = {d.id for d, s in zip(valid, score, strict=True) if round(float(s), 6) >= shipped}
    figures.update(head_figures(model, valid, flagged))
    return model, figures


def detector_point(y: IntArray, score: FloatArray) -> dict[str, float]:
    """How the detector's finding threshold (well above the model's) behaves on these dialogues."""
    flagged = score >= FINDING_THRESHOLD
    return {
        "threshold": FINDING_THRESHOLD,
        "flagged": int(flagged.sum()),
        "precision": float(y[flagged].mean()) if flagged.any() else 0.0,
        "recall": float(flagged[y == 1].mean()),
        "false_positive_rate": float(flagged[y == 0].mean()),
    }


def experiments_table_check() -> str:
    """Is every experiment of results.jsonl in the experiment table of bench/RESULTS.md?"""
    results = (ROOT / "bench" / "RESULTS.md").read_text(encoding="utf-8")
    start = results.find(EXPERIMENTS_HEADING)
    if start < 0 or not EXPERIMENTS.exists():
        return "experiment table: not found"
    end = results.find("\n## ", start + 1)
    section = results[start : end if end >= 0 else None]
    names = {json.loads(line)["experiment"] for line in EXPERIMENTS.read_text(encoding="utf-8").splitlines() if line}
    missing = sorted(n for n in names if f"| {n} |" not in section)
    if missing:
        return f"Experiment table: MISSING {len(missing)} of {len(names)}: {', '.join(missing)}"
    return f"Experiment table: all {len(names)} experiments of results.jsonl are in the section above"


def f3(x: float) -> str:
    return f"{x:.3f}"


def binary_rows(f: dict[str, Any]) -> list[str]:
    rows = []
    for label, key in (
        (f"model threshold {f['thresholds']['model']:.4f} (chosen on {f['task']}_valid)", "at_model_threshold"),
        (f"threshold from training OOF scores {f['thresholds']['train_oof']:.4f} (honest)", "at_train_threshold"),
        ('always "manipulative"', "always_manipulative"),
    ):
        s = f[key]
        auc = f3(s["roc_auc"]) if key != "always_manipulative" else "0.500"
        rows.append(
            f"| {f['task']} | {label} | {f3(s['accuracy'])} | {f3(s['precision'])} | {f3(s['recall'])} | "
            f"{f3(s['f1'])} | **{f3(s['macro_f1'])}** | {auc} |"
        )
    return rows


def head_rows(f: dict[str, Any]) -> list[str]:
    rows = []
    for kind in ("techniques", "vulnerabilities"):
        for mode, label in (("head", "head alone (paper protocol)"), ("as_classify", "as `classify` emits it")):
            s = f[kind][mode]
            rows.append(
                f"| {f['task']} | {kind} | {label} | {s['n']} | {f3(s['micro_f1'])} | {f3(s['macro_f1'])} | "
                f"{f3(s['exact_match'])} |"
            )
    return rows


def report(con: dict[str, Any], maj: dict[str, Any], model_note: str, size: int, table_note: str) -> str:
    c, m = con["at_model_threshold"], maj["at_model_threshold"]
    ci = con["ci_at_model_threshold"]
    tech = con["techniques"]["head"]["micro_f1"]
    verdict = [
        ("con accuracy", c["accuracy"], TARGETS["con_accuracy"]),
        ("con macro-F1", c["macro_f1"], TARGETS["con_macro_f1"]),
        ("maj macro-F1", m["macro_f1"], TARGETS["maj_macro_f1"]),
        ("technique micro-F1 (con)", tech, TARGETS["technique_micro_f1"]),
    ]
    lines = [
        f"Machine: {machine()}. Command: `{command_line()}`. Data: MentalManip (ACL 2024, CC BY-NC 4.0), read in",
        "place from `../shared/data/mentalmanip/`; **validation portions only** (the test portions are held out).",
        "Model: `bondlens.learned` (`src/bondlens/learned/models/mentalmanip-v1.skops`, "
        f"{size:,} bytes; card: `MODEL_CARD.md` beside it): stack_lr[word12+stats] trained on con_train "
        f"({con['n_train']:,} dialogues), threshold {con['thresholds']['model']}; heads: TF-IDF words 1-2 → "
        "one-vs-rest LR, top label + labels with p ≥ 0.45. The maj rows use the same recipe trained on maj_train",
        f"({maj['n_train']:,}) with maj's validation-chosen threshold {maj['thresholds']['model']}.",
        f"{model_note} {table_note}.",
        "",
        "**Verdict: the issue's bar is not reached** (the experiments in the previous section found nothing on CPU",
        "without an LLM that does):",
        "",
        "| figure | ours (validation) | target | |",
        "|---|---:|---:|---|",
    ]
    for name, value, target in verdict:
        lines.append(f"| {name} | {f3(value)} | ≥ {target:.2f} | {'meets' if value >= target else 'misses'} |")
    lines += [
        "",
        f"con at the model threshold, 95% bootstrap CI (2,000 resamples): macro-F1 {f3(ci['macro_f1'][0])}–"
        f"{f3(ci['macro_f1'][1])}, accuracy {f3(ci['accuracy'][0])}–{f3(ci['accuracy'][1])}. "
        f"Validation-best threshold recomputed now: {con['thresholds']['valid_best']:.4f} (con), "
        f"{maj['thresholds']['valid_best']:.4f} (maj).",
        "",
        "### Binary detection (validation)",
        "",
        "| set | threshold | accuracy | precision | recall | F1 (manipulative) | macro-F1 | ROC-AUC |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        *binary_rows(con),
        *binary_rows(maj),
        "",
        f"con_valid: {con['n_valid']} dialogues, {con['share_manipulative']:.0%} manipulative; maj_valid: "
        f"{maj['n_valid']}, {maj['share_manipulative']:.0%}. Published on MentalManip con (accuracy / macro-F1; "
        "their test split, so not strictly comparable): "
        + "; ".join(f"{name} {acc:.3f} / {mf1:.3f}" for name, acc, mf1 in PUBLISHED)
        + ".",
        "",
        "### Techniques and vulnerabilities (validation dialogues with ≥ 1 label)",
        "",
        "| set | head | how | n | micro-F1 | macro-F1 | exact match |",
        "|---|---|---|---:|---:|---:|---:|",
        *head_rows(con),
        *head_rows(maj),
        "",
        '"As `classify` emits it": labels only for dialogues the binary model flags (a missed manipulative dialogue',
        "gets no labels). Tactic families are mapped from the techniques (`bondlens.learned.labels`, after",
        "`shared/docs/domain.md`); MentalManip has no isolation, decision-control or financial-abuse label.",
        "",
        f"Detector `mentalmanip.v1` reports only windows scoring ≥ {con['detector']['threshold']:.2f}: on con_valid "
        f"{con['detector']['flagged']} dialogues reach it, precision {f3(con['detector']['precision'])}, recall "
        f"{f3(con['detector']['recall'])}, {con['detector']['false_positive_rate']:.1%} of the non-manipulative ones "
        "(the restraint is deliberate: chat is not film dialogue).",
        "",
        f"Training time (this machine, 1 BLAS thread): con {con['train_s']:.1f} s, maj {maj['train_s']:.1f} s.",
    ]
    return "\n".join(lines)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the MentalManip jsonl files")
    parser.add_argument("--write", action="store_true", help="record the figures in bench/RESULTS.md")
    parser.add_argument("--write-model", action="store_true", help=f"rewrite {MODEL_FILE.relative_to(ROOT)}")
    args = parser.parse_args()

    con_model, con = evaluate("con", args.data)
    _, maj = evaluate("maj", args.data)
    fresh = con_model.to_bytes()
    old = MODEL_FILE.read_bytes() if MODEL_FILE.exists() else b""
    if args.write_model:
        MODEL_FILE.parent.mkdir(parents=True, exist_ok=True)
        MODEL_FILE.write_bytes(fresh)
        print(f"wrote {MODEL_FILE.relative_to(ROOT)} ({len(fresh):,} bytes, sha256 {sha(fresh)[:16]}…)")
    if old == fresh:
        note = f"A fresh training run reproduces the shipped file byte for byte (sha256 {sha(fresh)[:16]}…)."
    elif args.write_model:
        note = f"The shipped file was rewritten by this run (sha256 {sha(fresh)[:16]}…; it was {sha(old)[:16]}…)."
    elif not old:
        note = "There is no shipped model file yet (run with --write-model)."
    else:
        note = f"The shipped file (sha256 {sha(old)[:16]}…) differs from a fresh training run ({sha(fresh)[:16]}…)."
    table_note = experiments_table_check()
    text = report(con, maj, note, len(fresh), table_note)
    print(text)
    if args.write:
        write_section(HEADING, text)
        print(f"\nrecorded under '{HEADING}' in bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
