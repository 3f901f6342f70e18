"""Train the message model (issue 4) and choose each label's threshold on the evaluation set's dev split.

    .venv/bin/python bench/train_message_model.py [--save]

Training data: ``training/messages/en/*.jsonl`` (written for training, separate from the evaluation set), the
rule files' positive examples, and as ordinary speech the utterances of MentalManip's non-manipulative
training dialogues (``../shared/data/mentalmanip/con_train.jsonl``, CC BY-NC 4.0; never copied into the repo).
Thresholds: the lowest score that keeps precision ≥ 0.9 over the dev split together with the utterances of
MentalManip's non-manipulative validation dialogues (``con_valid.jsonl``; everyday talk that must not be
flagged); a label that cannot reach it is not reported by the model. The test split is never read here;
``bench/rules_eval.py`` measures it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT

from bondlens.detectors.messagemodel import MessageModelDetector
from bondlens.detectors.messagemodel.model import MessageModel, ModelInfo
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
MODELS = ROOT / "src" / "bondlens" / "detectors" / "messagemodel" / "models"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", action="store_true", help="write the model into the package")
    parser.add_argument("--c", type=float, default=Settings().c)
    parser.add_argument("--mentalmanip", type=Path, default=ROOT.parent / "shared" / "data" / "mentalmanip")
    parser.add_argument("--min-precision", type=float, default=Settings().min_precision)
    args = parser.parse_args()
    settings = Settings(c=args.c, min_precision=args.min_precision)
    messages = [*read_corpus(CORPUS), *rule_examples(), *film_negatives(args.mentalmanip / "con_train.jsonl")]
    model = train(messages, settings)
    dev = load_items(sorted(EVAL.glob("*.jsonl")), "dev")
    detector = MessageModelDetector(model=model)
    probabilities = detector.message_scores([item.text for item in dev])
    # everyday talk the model must leave alone: MentalManip's validation dialogues that are not manipulative
    everyday = detector.message_scores([m.text for m in film_negatives(args.mentalmanip / "con_valid.jsonl")])
    thresholds: dict[str, float] = {}
    print(f"trained on {len(messages)} messages; thresholds on {len(dev)} dev items")
    for column, label in enumerate(LABELS):
        sender_ok = [(item.sender == ME) != (label in TACTICS) for item in dev]
        scores = [float(p) if ok else 0.0 for p, ok in zip(probabilities[:, column], sender_ok, strict=True)]
        gold = [label in item.labels for item in dev]
        ordinary = everyday[:, column].tolist()
        thresholds[label] = choose_threshold(scores + ordinary, gold + [False] * len(ordinary), settings.min_precision)
        flagged = [s >= thresholds[label] for s in scores]
        tp = sum(f and g for f, g in zip(flagged, gold, strict=True))
        fp = sum(f and not g for f, g in zip(flagged, gold, strict=True))
        positives = sum(gold)
        print(
            f"  {label:26} threshold {thresholds[label]:.3f}  dev P {tp / max(tp + fp, 1):.2f} "
            f"R {tp / max(positives, 1):.2f}  everyday flagged {sum(o >= thresholds[label] for o in ordinary)} of "
            f"{len(ordinary)}  (train positives {model.info.trained_on[label]})"
        )
    info = ModelInfo(
        language=model.info.language,
        version=model.info.version,
        labels=model.info.labels,
        thresholds=thresholds,
        trained_on=model.info.trained_on,
        training_messages=model.info.training_messages,
        notes=model.info.notes
        + f"; thresholds: lowest keeping precision >= {settings.min_precision} over the dev items together with "
        + "MentalManip con_valid non-manipulative utterances (everyday talk)"
        + "; negatives include MentalManip con_train non-manipulative utterances (CC BY-NC 4.0)",
    )
    tuned = MessageModel(model.word, model.coef.T, model.intercept, info)
    if args.save:
        tuned.save(MODELS)
        print(f"saved {MODELS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
