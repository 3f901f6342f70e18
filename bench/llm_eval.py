"""Any OpenAI-compatible LLM server on MentalManip's validation portions, beside bondlens's own model.

    .venv/bin/python bench/llm_eval.py URL MODEL [--data DIR] [--limit N] [--sets con,maj] [--concurrency N]
    .venv/bin/python bench/llm_eval.py http://127.0.0.1:11434/v1 llama3.1:8b

Each validation dialogue is sent once (``POST URL/chat/completions``, temperature 0, JSON answer) with an
intent-aware prompt that asks whether it is manipulative; the answer ``{"manipulative": bool, "confidence":
0-1}`` gives the decision and a score for ROC-AUC. The figures are those of ``bench/mentalmanip.py`` (accuracy,
precision, recall, F1 of the manipulative class, macro-F1, ROC-AUC; ``bondlens.learned.metrics``), in the same
table, with the shipped ``mentalmanip-v1`` model scored on the same dialogues (``--no-ours`` to skip it; it was
trained on con_train, which shares 348 dialogues with maj_valid). A dialogue the model never answers in valid
JSON (after retries) counts as "not manipulative" and is counted. The URL must be on this computer unless
``--allow-remote`` is given. Nothing is cached and nothing is written.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, machine

from bondlens.detectors.llm.client import ChatClient, MalformedAnswer
from bondlens.detectors.llm.config import LLMConfig, LLMError, check_url
from bondlens.errors import BondlensError
from bondlens.learned.data import Dialogue, binary_labels, load_split
from bondlens.learned.metrics import FloatArray, IntArray, binary_scores, macro_f1

DATA = ROOT.parent / "shared" / "data" / "mentalmanip"
PROMPT_VERSION = "1"
SYSTEM = """You judge dialogues for mental manipulation: using language to influence, alter or control \
another person's psychological state or perception for the speaker's own benefit (for example denial, evasion, \
feigning innocence, rationalisation, playing the victim or the servant, shaming, intimidation, brandishing \
anger, accusation, persuasion or seduction). Judge the INTENT in context: disagreement, persuasion with honest \
reasons, jokes and ordinary conflict are not manipulation.

Answer with one JSON object and nothing else, following this JSON Schema:
{"type": "object", "required": ["manipulative", "confidence"], "properties": {"manipulative": {"type": \
"boolean"}, "confidence": {"type": "number", "minimum": 0, "maximum": 1, "description": "how sure you are of \
your answer"}}}"""


def validate(data: Any) -> float:
    """The answer as the probability of "manipulative": ≥ 0.5 exactly when the model said yes."""
    if not isinstance(data, dict) or not isinstance(data.get("manipulative"), bool):
        raise MalformedAnswer('the answer has no boolean "manipulative"')
    confidence = data.get("confidence", 1.0)
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        raise MalformedAnswer('"confidence" must be a number from 0 to 1')
    c = float(confidence)
    return 0.5 + 0.5 * c if data["manipulative"] else 0.4999 * (1.0 - c)


def judge(client: ChatClient, dialogues: list[Dialogue], concurrency: int) -> tuple[FloatArray, int]:
    """Scores in dialogue order and how many dialogues got no valid answer (scored as "no")."""

    def one(d: Dialogue) -> float | None:
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": f"Dialogue:\n{d.text}"}]
        try:
            score: float = client.complete_json(messages, validate)
        except MalformedAnswer:
            return None
        return score

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        answers = list(pool.map(one, dialogues))
    missing = sum(a is None for a in answers)
    return np.array([0.25 if a is None else a for a in answers], dtype=np.float64), missing


def figures(y: IntArray, score: FloatArray, threshold: float) -> dict[str, float]:
    """``binary_scores``; ROC-AUC is n/a when only one class is present (a tiny ``--limit``)."""
    if len(set(y.tolist())) > 1:
        return binary_scores(y, score, threshold)
    pred = (score >= threshold).astype(np.int64)
    tp = int(((pred == 1) & (y == 1)).sum())
    precision, recall = tp / max(1, int(pred.sum())), tp / max(1, int(y.sum()))
    return {
        "accuracy": float((pred == y).mean()),
        "precision": precision,
        "recall": recall,
        "f1": 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall),
        "macro_f1": macro_f1(y, pred),
        "roc_auc": math.nan,
        "threshold": threshold,
    }


def f3(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.3f}"


def row(name: str, how: str, s: dict[str, float]) -> str:
    return (
        f"| {name} | {how} | {f3(s['accuracy'])} | {f3(s['precision'])} | {f3(s['recall'])} | {f3(s['f1'])} | "
        f"**{f3(s['macro_f1'])}** | {f3(s['roc_auc'])} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the server's OpenAI-compatible base, e.g. http://127.0.0.1:11434/v1")
    parser.add_argument("model", help="the model name on that server")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the MentalManip jsonl files")
    parser.add_argument("--sets", default="con,maj", help="which validation portions (default con,maj)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N dialogues of each portion")
    parser.add_argument("--concurrency", type=int, default=2, help="requests in flight at once (default 2)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request (default 120)")
    parser.add_argument("--retries", type=int, default=2, help="retries after a timeout or bad JSON (default 2)")
    parser.add_argument("--allow-remote", action="store_true", help="allow a server that is not on this computer")
    parser.add_argument("--no-ours", action="store_true", help="do not score the shipped model for comparison")
    args = parser.parse_args()

    config = LLMConfig(
        url=args.url, model=args.model, allow_remote=args.allow_remote, timeout=args.timeout, retries=args.retries
    )
    try:
        warning = check_url(config.url, config.allow_remote)
        if warning:
            print(warning, file=sys.stderr)
        client = ChatClient(config)
        rows: list[str] = []
        notes: list[str] = []
        ours = None
        if not args.no_ours:
            from bondlens.learned.model import load_model

            ours = load_model()
        for name in [s.strip() for s in args.sets.split(",") if s.strip()]:
            dialogues = load_split(args.data, f"{name}_valid")[: args.limit]
            y = binary_labels(dialogues)
            began = time.perf_counter()
            score, missing = judge(client, dialogues, args.concurrency)
            seconds = time.perf_counter() - began
            rows.append(row(name, f"{args.model} (yes/no)", figures(y, score, 0.5)))
            if ours is not None:
                mine = ours.scores([d.text for d in dialogues])
                rows.append(
                    row(
                        name,
                        f"bondlens mentalmanip-v1, threshold {ours.threshold:.4f}",
                        figures(y, mine, ours.threshold),
                    )
                )
            rows.append(row(name, 'always "manipulative"', figures(y, np.ones(len(y)), 0.5)))
            rate = len(dialogues) / max(seconds, 1e-9)
            notes.append(
                f"{name}_valid: {len(dialogues)} dialogues, {float(y.mean()):.0%} manipulative, {missing} without a "
                f"valid answer (counted as not manipulative), {seconds:.1f} s ({rate:.1f} dialogues/s)"
            )
    except (LLMError, BondlensError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Machine: {machine()}. Server: {args.url}, model {args.model}, prompt v{PROMPT_VERSION}, temperature 0.")
    print(f"Requests: {client.requests}.")
    print("")
    print("| set | threshold | accuracy | precision | recall | F1 (manipulative) | macro-F1 | ROC-AUC |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print("")
    print("; ".join(notes) + ".")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
