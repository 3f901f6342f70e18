"""Compare message-model settings on the evaluation set's dev split (never the test split).

    .venv/bin/python bench/message_model_sweep.py [--c 4 8 16 32] [--ngrams 2 3] [--min-df 1 2]

For each setting: mean average precision over the 16 labels on dev (threshold-free), and the mean dev recall at
the lowest threshold keeping dev precision >= 0.9 (what ``train_message_model.py`` would ship). Used to choose
``Settings``; the chosen figures go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT

from bondlens.detectors.messagemodel import MessageModelDetector
from bondlens.detectors.messagemodel.training import (
    LABELS,
    Settings,
    choose_threshold,
    film_negatives,
    read_corpus,
    rule_examples,
    train,
)
from bondlens.detectors.rules.evaluate import ME, load_items
from bondlens.taxonomy import TACTICS

CORPUS = ROOT / "training" / "messages" / "en"
EVAL = ROOT / "tests" / "data" / "rules_eval"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--c", type=float, nargs="+", default=[Settings().c])
    parser.add_argument("--ngrams", type=int, nargs="+", default=[Settings().word_ngrams[1]])
    parser.add_argument("--min-df", type=int, nargs="+", default=[Settings().min_df])
    parser.add_argument("--film-weight", type=float, nargs="+", default=[Settings().film_weight])
    parser.add_argument("--positive-weight", type=float, nargs="+", default=[0.0], help="0: balanced")
    parser.add_argument("--mentalmanip", type=Path, default=ROOT.parent / "shared" / "data" / "mentalmanip")
    parser.add_argument("--per-label", action="store_true")
    parser.add_argument(
        "--ordinary",
        action="store_true",
        help="thresholds also keep precision over MentalManip con_valid everyday talk",
    )
    args = parser.parse_args()
    corpus = [*read_corpus(CORPUS), *rule_examples()]
    film = film_negatives(args.mentalmanip / "con_train.jsonl")
    dev = load_items(sorted(EVAL.glob("*.jsonl")), "dev")
    ordinary = [m.text for m in film_negatives(args.mentalmanip / "con_valid.jsonl")]
    print(f"corpus {len(corpus)} + film {len(film)} messages; dev {len(dev)} items")
    grid = itertools.product(args.c, args.ngrams, args.min_df, args.film_weight, args.positive_weight)
    for c, top, min_df, film_weight, positive_weight in grid:
        settings = Settings(
            c=c, word_ngrams=(1, top), min_df=min_df, film_weight=film_weight, positive_weight=positive_weight or None
        )
        model = train([*corpus, *film], settings)
        detector = MessageModelDetector(model=model)
        probabilities = detector.message_scores([item.text for item in dev])
        everyday = detector.message_scores(ordinary)
        aps, recalls, false_flags = [], [], []
        for column, label in enumerate(LABELS):
            sender_ok = np.array([(item.sender == ME) != (label in TACTICS) for item in dev])
            scores = np.where(sender_ok, probabilities[:, column], 0.0)
            gold = np.array([label in item.labels for item in dev])
            aps.append(average_precision_score(gold, scores))
            extra = everyday[:, column].tolist() if args.ordinary else []
            threshold = choose_threshold(
                scores.tolist() + extra, gold.tolist() + [False] * len(extra), settings.min_precision
            )
            false_flags.append(float((everyday[:, column] >= threshold).sum()))
            flagged = scores >= threshold
            recalls.append(float((flagged & gold).sum() / max(gold.sum(), 1)))
            if args.per_label:
                flags = f"everyday flags {false_flags[-1]:.0f}"
                print(f"    {label:26} AP {aps[-1]:.3f}  R@P.9 {recalls[-1]:.2f}  {flags}")
        print(
            f"C={c:<5g} ngrams=(1,{top}) min_df={min_df} film_weight={film_weight:g} "
            f"positive_weight={positive_weight or 'balanced'}: "
            f"mean dev AP {np.mean(aps):.3f}  mean dev R@P.9 {np.mean(recalls):.3f}  min AP {min(aps):.3f}  "
            f"everyday flagged {1000 * sum(false_flags) / len(ordinary):.1f} per 1000",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
