"""End to end (issue 6): a 100,000-message chat imported, read by the default detectors and analysed.

    .venv/bin/python bench/end_to_end.py            # generate (once) into bench/out/, run, print figures
    .venv/bin/python bench/end_to_end.py --write    # ... and record them in bench/RESULTS.md

Targets: the whole pipeline (``load_conversation`` -> ``detect`` -> ``analyse``) in at most 30 s and at most
1 GB peak memory (RSS) on this machine. Each run is a fresh child process, so its peak RSS is the pipeline's
own (with the interpreter). Serialising the result to JSON (schema v1) and rendering the terminal summary
are timed too, separately. The chat is the bundled sample (examples/whatsapp_cycle.txt: two invented
people, a realistic mix of affection, ordinary talk, harm and apology) repeated with its dates moved on
150 days per copy, so the analysis meets hundreds of cycles, gaps and months, not one.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, command_line, machine, peak_rss_bytes, write_section

OUT = ROOT / "bench" / "out"
SAMPLE = ROOT / "examples" / "whatsapp_cycle.txt"
HEADING = "## End to end (issue 6)"
GENERATOR_VERSION = 2
SYSTEM_TEXTS = ("This message was deleted", "You deleted this message")  # system lines, not messages
TARGET_SECONDS = 30.0
TARGET_PEAK_BYTES = 1024**3
SHIFT = timedelta(days=150)
STAMP = re.compile(r"^(\d{2})/(\d{2})/(\d{4}), (\d{2}):(\d{2}) - ")


def generate(messages: int) -> Path:
    """The sample chat repeated until it holds ``messages`` messages (cached in bench/out/)."""
    path = OUT / f"end_to_end_{messages}_v{GENERATOR_VERSION}.txt"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    system = lines[0]
    body = lines[1:]
    written = 0
    copy = 0
    out = [system]
    while written < messages:
        for line in body:
            match = STAMP.match(line)
            if match is None:  # a continuation line of a multi-line message
                if written <= messages:
                    out.append(line)
                continue
            if written == messages:
                break
            day, month, year, hour, minute = map(int, match.groups())
            moved = datetime(year, month, day, hour, minute) + copy * SHIFT
            out.append(f"{moved:%d/%m/%Y, %H:%M} - " + line[match.end() :])
            if not line.endswith(SYSTEM_TEXTS):
                written += 1
        copy += 1
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def child(path: Path) -> None:
    """One run of the pipeline; prints its figures as JSON."""
    from rich.console import Console

    from bondlens.analysis import analyse
    from bondlens.analysis.schema import dumps
    from bondlens.analysis.summary import render_summary
    from bondlens.detectors import detect
    from bondlens.importers import ImportOptions, load_conversation

    cpu = time.process_time()
    began = time.perf_counter()
    conversation = load_conversation(path, "whatsapp", ImportOptions(dayfirst=True))
    imported = time.perf_counter()
    findings = detect(conversation)
    detected = time.perf_counter()
    analysis = analyse(conversation, findings, me="Alex")
    analysed = time.perf_counter()
    cpu_total = time.process_time() - cpu
    text = dumps(analysis)
    render_summary(analysis, Console(file=io.StringIO(), width=100))
    rendered = time.perf_counter()
    pattern = analysis.pattern
    print(
        json.dumps(
            {
                "messages": len(conversation.user_messages()),
                "findings": len(findings),
                "cycles": len(pattern.cycles) if pattern else 0,
                "gaps": len(analysis.contact.gaps),
                "months": len(analysis.stages.periods),
                "json_bytes": len(text.encode("utf-8")),
                "import_s": imported - began,
                "detect_s": detected - imported,
                "analyse_s": analysed - detected,
                "output_s": rendered - analysed,
                "total_s": analysed - began,
                "cpu_s": cpu_total,
                "peak_rss": peak_rss_bytes(),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="record the figures in bench/RESULTS.md")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return 0

    path = generate(args.messages)
    load = os.getloadavg()[0]
    runs = []
    for _ in range(args.runs):
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(proc.stdout))
    first = runs[0]
    totals = [r["total_s"] for r in runs]
    peak = max(r["peak_rss"] for r in runs)
    median = statistics.median(totals)
    ok = max(totals) <= TARGET_SECONDS and peak <= TARGET_PEAK_BYTES
    verdict = "meets" if ok else "MISSES"

    def med(key: str) -> float:
        return float(statistics.median(r[key] for r in runs))

    print(
        f"{first['messages']:,} messages, {first['findings']:,} findings, {first['cycles']} cycles, "
        f"{first['gaps']} gaps, {first['months']} months: import {med('import_s'):.2f} s, detect "
        f"{med('detect_s'):.2f} s, analyse {med('analyse_s'):.2f} s, total {median:.2f} s median "
        f"({', '.join(f'{t:.2f}' for t in totals)}), CPU {med('cpu_s'):.2f} s; JSON + summary "
        f"{med('output_s'):.2f} s; peak {peak / 1024**2:.0f} MB ({verdict} the {TARGET_SECONDS:.0f} s / 1 GB "
        f"target); load average {load:.1f}"
    )
    if args.write:
        size = path.stat().st_size / 1024**2
        write_section(
            HEADING,
            f"""Import -> default detectors (rules, message model) -> analysis on a generated WhatsApp export: the
bundled sample chat (examples/whatsapp_cycle.txt) repeated with its dates moved on 150 days per copy ({size:.1f} MB,
{first["messages"]:,} messages, two invented people). Each run is a fresh process; the detector reads every
message for both sides, as `bondlens analyse` does. Times are medians of {len(runs)} runs.

Machine: {machine()}; load average {load:.1f} when the runs started (other work on the same 2 cores makes
wall-clock times include waiting, so the pipeline's CPU time is given too).
Command: `{command_line()}`

| stage | median time |
|---|---:|
| import (`load_conversation`) | {med("import_s"):.2f} s |
| detect (rules, {first["findings"]:,} findings) | {med("detect_s"):.2f} s |
| analyse ({first["cycles"]} cycles, {first["gaps"]} gaps, {first["months"]} months) | {med("analyse_s"):.2f} s |
| **total** (runs: {", ".join(f"{t:.2f}" for t in totals)} s) | **{median:.2f} s** |
| CPU time of the pipeline (import + detect + analyse) | {med("cpu_s"):.2f} s |
| JSON v1 ({first["json_bytes"] / 1024**2:.1f} MB) + terminal summary, not in the total | {med("output_s"):.2f} s |

Peak memory (RSS, whole process): **{peak / 1024**2:.0f} MB**. Target ≤ {TARGET_SECONDS:.0f} s and ≤ 1 GB: {verdict}.
""",
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
