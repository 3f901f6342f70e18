"""Speed of the detectors on one core (issue 4): messages per second.

    .venv/bin/python bench/detect_speed.py [--detector rules|messages|both] [--messages 200000] [--write]

Builds a long conversation by repeating the bundled sample chats (realistic message lengths and a real mix
of harmful and ordinary messages), runs the rules detector over it a few times in this single process (one
core) and reports the best and median rate. Target: at least 20,000 messages/s for each detector; "both" is
what `bondlens detect` runs by default.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, command_line, machine, write_section

from bondlens.detectors import detect
from bondlens.detectors.base import Detector
from bondlens.detectors.messagemodel import MessageModelDetector
from bondlens.detectors.rules import RulesDetector
from bondlens.importers import load_conversation
from bondlens.importers.base import ConversationBuilder
from bondlens.model import Conversation

TARGET = 20_000
SAMPLES = ("whatsapp_cycle.txt", "transcript.txt", "telegram_result.json", "signal_chat.md")


def long_conversation(size: int) -> Conversation:
    sources = [load_conversation(ROOT / "examples" / name) for name in SAMPLES]
    texts = [m.text for c in sources for m in c.user_messages() if m.text]
    first = sources[0]
    builder = ConversationBuilder("bench", first.source, naive_timestamps=True)
    start = first.messages[0].timestamp.replace(tzinfo=None)
    for i in range(size):
        text = texts[i % len(texts)]
        builder.add(start + timedelta(minutes=i), "them" if i % 2 else "me", text)
    return builder.build()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detector", choices=("rules", "messages", "both"), default="rules")
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="record the figures in bench/RESULTS.md")
    args = parser.parse_args()

    conversation = long_conversation(args.messages)
    rules = RulesDetector()
    configurations: dict[str, list[Detector]] = {
        "rules": [rules],
        "messages": [MessageModelDetector()],
        "both": [rules, MessageModelDetector()],
    }
    chosen = configurations[args.detector]
    rates: list[float] = []
    findings = 0
    for _ in range(args.runs):
        began = time.perf_counter()
        findings = len(detect(conversation, chosen, me="me"))
        rates.append(args.messages / (time.perf_counter() - began))
    best, median = max(rates), statistics.median(rates)
    verdict = "meets" if median >= TARGET else "MISSES"
    print(
        f"{args.messages} messages, {findings} findings: best {best:,.0f} msg/s, median {median:,.0f} msg/s "
        f"({verdict} the {TARGET:,} msg/s target)"
    )
    if args.write:
        heading = {
            "rules": "## Rules detector speed (issue 4)",
            "messages": "## Message model speed (issue 4)",
            "both": "## Default detectors speed, rules + message model (issue 4)",
        }[args.detector]
        write_section(
            heading,
            f"""Machine: {machine()}. One process, one core.
Command: `{command_line()}`

| detector | messages | findings | runs | median msg/s | best msg/s | target |
|---|---:|---:|---:|---:|---:|---|
| {args.detector} | {args.messages:,} | {findings:,} | {args.runs} | {median:,.0f} | {best:,.0f} \
| ≥ {TARGET:,} ({verdict}) |
""",
        )
    return 0 if median >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
