"""Batch scoring on Dask (issue 10): throughput with 1 and 2 workers, peak memory per worker, against plain classify.

    .venv/bin/python bench/scale.py [--size 1000000] [--partition-size 10000] [--rounds 1] [--write]

Generates ``--size`` dialogues into ``bench/out/`` (git-ignored; reused when already there) from the MentalManip
texts in ``../shared/data/mentalmanip``: every dialogue's turns are shuffled and each new dialogue is the first part
of one dialogue joined to the last part of another, chosen at random (seeded). Then times the real commands, whole
process (start-up, cluster start, model loads, reading, assembling the output):

* ``bondlens classify IN --output OUT`` (the plain engine, one process);
* ``bondlens classify IN --engine dask --workers N --output OUT`` for N = 1 and 2 (a LocalCluster here).

Peak memory per worker is what the command reports (the largest worker's peak resident memory); the plain
engine's is the child process's peak. Each Dask output is checked byte for byte against the plain one.
With ``--rounds N`` the three commands run in turn N times (plain, 1 worker, 2 workers, plain, ...), so that a
change in the machine's load during the call weighs on every engine alike; each figure is then the median of the
N runs of its engine (peak memory: the largest).
Targets: >= 1.8x from 1 to 2 workers, <= 1 GB per worker, Dask on one worker within 15 % of plain.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, command_line, machine, write_section

DATA = ROOT.parent / "shared" / "data" / "mentalmanip"
OUT = ROOT / "bench" / "out"
BONDLENS = Path(sys.executable).parent / "bondlens"
HEADING = "## Batch scoring on Dask (issue 10)"
PORTIONS = ("con_train", "con_valid", "maj_train", "maj_valid")
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def build_input(size: int, path: Path) -> int:
    """Write ``size`` recombined dialogues to ``path`` (kept for later runs); return the number of messages."""
    marker = path.with_suffix(".messages")
    if path.exists() and marker.exists():
        return int(marker.read_text(encoding="utf-8"))
    from bondlens.learned.data import load_split
    from bondlens.learned.features import count_turns

    turns: dict[str, list[str]] = {}
    for portion in PORTIONS:
        for d in load_split(DATA, portion):
            turns.setdefault(d.text, d.text.splitlines())
    dialogues = [t for t in turns.values() if len(t) >= 2]
    rng = random.Random(10)
    messages = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    with temp.open("w", encoding="utf-8") as fh:
        for i in range(size):
            a, b = rng.choice(dialogues), rng.choice(dialogues)
            cut_a, cut_b = rng.randint(1, len(a)), rng.randint(0, len(b) - 1)
            lines = a[:cut_a] + b[cut_b:]
            if rng.random() < 0.5:
                rng.shuffle(lines)
            text = "\n".join(lines)
            messages += count_turns(text)
            fh.write(json.dumps({"id": f"s{i}", "text": text}, ensure_ascii=False) + "\n")
    temp.replace(path)
    marker.write_text(str(messages), encoding="utf-8")
    return messages


def cpu_seconds() -> float:
    """CPU time of the finished children so far (with theirs: the cluster's worker processes are counted too)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(*args: str | Path) -> tuple[float, str, int, float]:
    """(seconds, stderr, peak resident bytes of the child, CPU seconds) for one whole `bondlens` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cpu = cpu_seconds()
    began = time.perf_counter()
    proc = subprocess.run(
        [str(BONDLENS), *map(str, args)], capture_output=True, text=True, env={**os.environ, **ONE_THREAD}
    )
    seconds = time.perf_counter() - began
    if proc.returncode != 0:
        raise SystemExit(f"bondlens {' '.join(map(str, args))} failed:\n{proc.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, proc.stderr, (peak if peak > before else 0) * 1024, cpu_seconds() - cpu


def load() -> str:
    return f" (load average {os.getloadavg()[0]:.1f})"


def worker_peak(stderr: str) -> float:
    found = re.search(r"peak memory per worker ([\d,]+) MB", stderr)
    return float(found.group(1).replace(",", "")) if found else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="dialogues to generate and score")
    parser.add_argument("--partition-size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1, help="run the three commands in turn this many times")
    parser.add_argument("--write", action="store_true", help="record the figures in bench/RESULTS.md")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if not DATA.is_dir():
        raise SystemExit(f"{DATA}: the MentalManip data is not there")
    source = OUT / f"scale_{args.size}.jsonl"
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    messages = build_input(args.size, source)
    print(f"input: {args.size:,} dialogues, {messages:,} messages ({time.perf_counter() - began:.0f} s)", flush=True)

    names = ["plain `classify` (one process)", "`--engine dask --workers 1`", "`--engine dask --workers 2`"]
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}  # (seconds, peak MB, CPU s)
    plain_out = OUT / "scale_plain.jsonl"
    same = True
    for round_ in range(1, args.rounds + 1):
        label = f"round {round_}/{args.rounds}: " if args.rounds > 1 else ""
        seconds, _, peak, cpu = run("classify", source, "--output", plain_out)
        runs[names[0]].append((seconds, peak / 2**20, cpu))
        print(f"{label}plain: {seconds:.1f} s, {args.size / seconds:,.0f} dialogues/s{load()}", flush=True)
        for workers in (1, 2):
            target = OUT / f"scale_dask{workers}.jsonl"
            seconds, err, _, cpu = run(
                "classify", source, "--engine", "dask", "--workers", str(workers),
                "--partition-size", str(args.partition_size), "--output", target,
            )  # fmt: skip
            runs[names[workers]].append((seconds, worker_peak(err), cpu))
            same = same and filecmp.cmp(plain_out, target, shallow=False)
            speed = f"{args.size / seconds:,.0f} dialogues/s{load()}"
            print(f"{label}dask {workers}: {seconds:.1f} s, {speed}; {err.strip()}", flush=True)
            target.unlink()
        plain_out.unlink()
    load_after = os.getloadavg()[0]
    rows = [
        (
            name,
            statistics.median(s for s, _, _ in runs[name]),
            max(mb for _, mb, _ in runs[name]),
            statistics.median(cpu for _, _, cpu in runs[name]),
        )
        for name in names
    ]

    rate = {name: args.size / s for name, s, _, _ in rows}
    plain_rate, one, two = rate[rows[0][0]], rate[rows[1][0]], rate[rows[2][0]]
    scaling = two / one
    within = one / plain_rate
    biggest = max(rows[1][2], rows[2][2])
    table = "\n".join(
        f"| {name} | {args.size / s:,.0f} | {messages / s:,.0f} | {s:.1f} | {cpu:.1f} | {mb:,.0f} MB |"
        for name, s, mb, cpu in rows
    )

    each = "one whole-process run"
    if args.rounds > 1:
        each = f"the median of {args.rounds} whole-process runs, in turn with the other engines,"

    def verdict(ok: bool) -> str:
        return "meets" if ok else "MISSES"

    body = f"""
Machine: {machine()}. Command: `{command_line()}`.
Input: {args.size:,} dialogues = {messages:,} "Name: utterance" messages, recombined from the MentalManip texts
(`bench/out/`, not kept in the repository); partitions of {args.partition_size:,} dialogues. Each figure is {each}
of the real command (start-up, LocalCluster start, model loads, reading, assembling the output).
CPU seconds: user + system time of the command and every process it started (scheduler, nanny, workers).
Load average (1 min) before/after: {load_before:.1f}/{load_after:.1f} on {os.cpu_count()} cores: the machine is
shared, so other jobs can slow any run. Dask outputs identical to plain byte for byte: {"yes" if same else "NO"}.

| engine | dialogues/s | messages/s | seconds | CPU seconds, all processes | peak memory (per worker for Dask) |
|---|---:|---:|---:|---:|---:|
{table}

Targets: ≥ 1.8× from 1 to 2 workers — {verdict(scaling >= 1.8)} ({scaling:.2f}×); ≤ 1 GB per worker —
{verdict(biggest <= 1024)} ({biggest:,.0f} MB); Dask on one worker within 15 % of plain — {verdict(within >= 0.85)}
({within:.0%} of plain's throughput).
"""
    print(body)
    if args.write:
        write_section(HEADING, body)


if __name__ == "__main__":
    main()
