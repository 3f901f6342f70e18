"""Quality of the rules detector (issue 4): per-label precision and recall on our labelled evaluation set.

    .venv/bin/python bench/rules_eval.py [--split test|dev|all] [--errors LABEL] [--write]

The evaluation set (tests/data/rules_eval/) was written separately from the rules and their YAML examples.
Items carry "split": rules were tuned on "dev" only; "test" is the held-out figure. Target per label:
precision ≥ 0.85 and recall ≥ 0.70.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, command_line, machine, write_section

from bondlens.detectors.rules import RulesDetector
from bondlens.detectors.rules.evaluate import LabelScore, evaluate, load_items
from bondlens.taxonomy import SIGNS, TACTICS

EVAL = ROOT / "tests" / "data" / "rules_eval"
PRECISION_TARGET, RECALL_TARGET = 0.85, 0.70


def table(scores: dict[str, LabelScore]) -> str:
    rows = ["| label | set | support | precision | recall | meets target |", "|---|---|---:|---:|---:|---|"]
    for label, s in scores.items():
        ok = s.precision >= PRECISION_TARGET and s.recall >= RECALL_TARGET
        kind = "tactic" if label in TACTICS else "sign"
        rows.append(
            f"| {label} | {kind} | {s.support} | {s.precision:.2f} | {s.recall:.2f} | {'yes' if ok else 'no'} |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--errors", metavar="LABEL", help="print the false positives and negatives of LABEL")
    parser.add_argument("--write", action="store_true", help="record dev and test figures in bench/RESULTS.md")
    args = parser.parse_args()
    detector = RulesDetector()
    labels = [*TACTICS, *SIGNS]
    files = sorted(EVAL.glob("*.jsonl"))
    splits = ("dev", "test") if args.write else (args.split,)
    results: dict[str, dict[str, LabelScore]] = {}
    for split in splits:
        items = load_items(files, None if split == "all" else split)
        results[split] = evaluate(detector, items, labels)
        print(f"\n{split}: {len(items)} items")
        print(table(results[split]))
        if args.errors:
            s = results[split][args.errors]
            print("\nfalse positives:", *s.false_positives, sep="\n  ")
            print("\nfalse negatives:", *s.false_negatives, sep="\n  ")
    if args.write:
        counts = {split: len(load_items(files, split)) for split in ("dev", "test")}
        test = results["test"]
        passing = sum(1 for s in test.values() if s.precision >= PRECISION_TARGET and s.recall >= RECALL_TARGET)
        write_section(
            "## Rules detector quality (issue 4)",
            f"""Machine: {machine()}.
Command: `{command_line()}`
Evaluation set: `tests/data/rules_eval/` ({counts["dev"]} dev items, {counts["test"]} test items, hand-written,
synthetic; positives per label plus hard negatives). Rules were tuned on **dev** only; **test** is held out.
Target per label: precision ≥ {PRECISION_TARGET}, recall ≥ {RECALL_TARGET}.
Labels meeting it on test: {passing} of {len(test)}.

### Test split (held out)

{table(test)}

### Dev split (used for tuning)

{table(results["dev"])}
""",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
