"""Quality of the tactic and sign detectors (issue 4): per-label precision and recall on our evaluation set.

    .venv/bin/python bench/rules_eval.py [--split test|dev|all] [--detector both|rules|messages]
                                         [--errors LABEL] [--write]

The evaluation set (tests/data/rules_eval/) was written separately from the rules, their YAML examples and the
message model's training messages (training/messages/). Items carry "split": rules and the model's thresholds
were tuned on "dev" only; "test" is the held-out figure. "both" is what `bondlens detect` runs by default (the
rules, then the message model; a message counts once per label). Target per label: precision ≥ 0.85 and
recall ≥ 0.70.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, command_line, machine, write_section

from bondlens.detectors.base import Detector
from bondlens.detectors.messagemodel import MessageModelDetector
from bondlens.detectors.rules import RulesDetector
from bondlens.detectors.rules.evaluate import LabelScore, evaluate, load_items
from bondlens.taxonomy import SIGNS, TACTICS

EVAL = ROOT / "tests" / "data" / "rules_eval"
PRECISION_TARGET, RECALL_TARGET = 0.85, 0.70


def meets(s: LabelScore) -> bool:
    return s.precision >= PRECISION_TARGET and s.recall >= RECALL_TARGET


def table(results: dict[str, dict[str, LabelScore]]) -> str:
    """One row per label: precision and recall of each configuration; the target judged on the first."""
    names = list(results)
    head = "| label | set | support | " + " | ".join(f"{n} P | {n} R" for n in names) + " | meets target |"
    rows = [head, "|---|---|---:|" + "---:|---:|" * len(names) + "---|"]
    for label, first in results[names[0]].items():
        kind = "tactic" if label in TACTICS else "sign"
        cells = " | ".join(f"{results[n][label].precision:.2f} | {results[n][label].recall:.2f}" for n in names)
        rows.append(f"| {label} | {kind} | {first.support} | {cells} | {'yes' if meets(first) else 'no'} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--detector", choices=("both", "rules", "messages"), default="both")
    parser.add_argument("--errors", metavar="LABEL", help="print the false positives and negatives of LABEL")
    parser.add_argument("--write", action="store_true", help="record dev and test figures in bench/RESULTS.md")
    args = parser.parse_args()
    rules, model = RulesDetector(), MessageModelDetector()
    configurations: dict[str, list[Detector]] = {"both": [rules, model], "rules": [rules], "messages": [model]}
    chosen = configurations if args.write else {args.detector: configurations[args.detector]}
    labels = [*TACTICS, *SIGNS]
    files = sorted(EVAL.glob("*.jsonl"))
    splits = ("dev", "test") if args.write else (args.split,)
    results: dict[str, dict[str, dict[str, LabelScore]]] = {}
    for split in splits:
        items = load_items(files, None if split == "all" else split)
        results[split] = {name: evaluate(detectors, items, labels) for name, detectors in chosen.items()}
        print(f"\n{split}: {len(items)} items")
        print(table(results[split]))
        if args.errors:
            s = next(iter(results[split].values()))[args.errors]
            print("\nfalse positives:", *s.false_positives, sep="\n  ")
            print("\nfalse negatives:", *s.false_negatives, sep="\n  ")
    if args.write:
        counts = {split: len(load_items(files, split)) for split in ("dev", "test")}
        test = results["test"]["both"]
        passing = sum(1 for s in test.values() if meets(s))
        lo_p, hi_p = min(s.precision for s in test.values()), max(s.precision for s in test.values())
        lo_r, hi_r = min(s.recall for s in test.values()), max(s.recall for s in test.values())
        write_section(
            "## Tactic and sign detector quality (issue 4)",
            f"""Machine: {machine()}.
Command: `{command_line()}`
Evaluation set: `tests/data/rules_eval/` ({counts["dev"]} dev items, {counts["test"]} test items, hand-written,
synthetic; positives per label plus hard negatives), written apart from the rules' YAML examples and from the
message model's training messages (`training/messages/en/`). Rules and the model's thresholds were tuned on
**dev** only; **test** is held out. "both" = what `bondlens detect` runs (rules, then the message model).
Target per label: precision ≥ {PRECISION_TARGET}, recall ≥ {RECALL_TARGET}.
Held out, "both": precision {lo_p:.2f}–{hi_p:.2f}, recall {lo_r:.2f}–{hi_r:.2f}; labels meeting the target:
{passing} of {len(test)}.

### Test split (held out)

{table(results["test"])}

### Dev split (used for tuning)

{table(results["dev"])}
""",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
