"""Markdown tables of results.jsonl (the last run of each experiment/task wins).

.venv/bin/python bench/mentalmanip_experiments/table.py > /tmp/table.md
"""

from __future__ import annotations

import json
from typing import Any

from mmdata import RESULTS


def f(x: Any) -> str:
    return "" if x is None else f"{x:.3f}"


def main() -> None:
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for line in RESULTS.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        rows[(r["task"], r["experiment"])] = r
    for tname in ("con", "maj"):
        print(f"\n### Binary detection, `{tname}` (validation n = {465 if tname == 'con' else 695})\n")
        print(
            "| experiment | features | model | params (CV on train) | CV AUC | CV macro-F1 | val AUC | "
            "acc @thr_cv | macro-F1 @thr_cv | acc @thr_val | macro-F1 @thr_val | 95% CI macro-F1 @thr_val | train s |"
        )
        print("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
        for (t, name), r in rows.items():
            if t != tname or "auc" not in r:
                continue
            ci = r.get("macro_f1_valthr_ci")
            cis = f"{ci[0]:.3f}–{ci[1]:.3f}" if ci else ""
            params = r.get("params", r.get("weights", ""))
            print(
                f"| {name} | {r['features']} | {r['model']} | {params} | {f(r.get('cv_auc'))} | "
                f"{f(r.get('cv_macro_f1'))} | {f(r['auc'])} | {f(r.get('acc_cvthr'))} | {f(r.get('macro_f1_cvthr'))} | "
                f"{f(r['acc_valthr'])} | {f(r['macro_f1_valthr'])} | {cis} | {f(r.get('train_s'))} |"
            )
    print("\n### Techniques and vulnerabilities (dialogues with ≥ 1 label; top-1 + labels ≥ thr)\n")
    print(
        "| task | experiment | features | params (CV on train) | CV micro-F1 | micro-F1 | macro-F1 | exact | n "
        + "| majority-label micro-F1 |"
    )
    print("|---|---|---|---|---:|---:|---:|---:|---:|---:|")
    for (t, name), r in rows.items():
        if "ml_micro_f1" in r:
            print(
                f"| {t} | {name} | {r['features']} | {r['params']} | {f(r['cv_micro_f1'])} | {f(r['ml_micro_f1'])} | "
                f"{f(r['ml_macro_f1'])} | {f(r['ml_exact'])} | {r['ml_n']} | {f(r['majority_label_micro_f1'])} |"
            )


if __name__ == "__main__":
    main()
