"""The learned manipulation detector, trained on MentalManip (Wang et al., ACL 2024; CC BY-NC 4.0).

A statistical model of whole dialogues ("Name: utterance" lines): is it manipulative, with which techniques,
aimed at which vulnerabilities, and which bondlens tactics those are. The model ships inside the package
(``models/mentalmanip-v1.skops``, read with skops and an explicit list of trusted types, never pickle; see
``models/MODEL_CARD.md`` for its data, figures and limits). Everything runs offline.

>>> from bondlens.learned import classify
>>> [p] = classify(["Person1: You're imagining things again. That never happened.\\nPerson2: I... maybe."])
>>> 0.0 <= p.score <= 1.0
True
"""

from __future__ import annotations

from collections.abc import Sequence

from bondlens.learned.labels import TECHNIQUE_TACTICS, TECHNIQUES, VULNERABILITIES, tactics_for
from bondlens.learned.model import (
    MODEL_NAME,
    TRUSTED_TYPES,
    MentalManipModel,
    ModelFileError,
    Prediction,
    load_model,
    shipped_model_path,
)
from bondlens.learned.train import train


def classify(
    texts: Sequence[str],
    ids: Sequence[str | int | None] | None = None,
    *,
    model: MentalManipModel | None = None,
) -> list[Prediction]:
    """A :class:`Prediction` for each dialogue in ``texts`` (in order), by ``model`` or the shipped one."""
    return (model or load_model()).predict(texts, ids)


__all__ = [
    "MODEL_NAME",
    "TECHNIQUES",
    "TECHNIQUE_TACTICS",
    "TRUSTED_TYPES",
    "VULNERABILITIES",
    "MentalManipModel",
    "ModelFileError",
    "Prediction",
    "classify",
    "load_model",
    "shipped_model_path",
    "tactics_for",
    "train",
]
