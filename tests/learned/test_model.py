"""The shipped model: it loads offline from the package, refuses what it must not trust, and predicts as promised."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.tree import DecisionTreeClassifier

from bondlens.errors import BondlensError
from bondlens.learned import (
    TECHNIQUE_TACTICS,
    TECHNIQUES,
    VULNERABILITIES,
    MentalManipModel,
    ModelFileError,
    Prediction,
    classify,
    load_model,
    shipped_model_path,
)
from bondlens.learned.features import canonical_speakers, speaker_features
from bondlens.learned.model import TRUSTED_TYPES, logit, model_from_bytes, types_in
from bondlens.taxonomy import TACTICS
from tests.learned.conftest import FRIENDLY, PRESSING, write_jsonl
from tests.test_no_network import run_guarded


def test_the_model_ships_inside_the_package_and_is_small() -> None:
    path = shipped_model_path()
    assert path.name == "mentalmanip-v1.skops"
    assert path.stat().st_size < 2_000_000
    card = (path.parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    for must in ("CC BY-NC 4.0", "non-commercial", "MentalManip", "0.6205", "film", "English"):
        assert must in card


def test_loading_and_classifying_open_no_socket(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": PRESSING}, {"id": 2, "text": FRIENDLY}])
    target = tmp_path / "out.jsonl"
    result = run_guarded("from bondlens.cli import main\nmain()", "classify", str(source), "--output", str(target))
    assert result.returncode == 0, result.stderr
    assert "NETWORK" not in result.stderr
    assert len(target.read_text(encoding="utf-8").splitlines()) == 2


def test_the_file_holds_only_the_trusted_types() -> None:
    data = shipped_model_path().read_bytes()
    assert types_in(data) <= set(TRUSTED_TYPES)
    assert not [t for t in TRUSTED_TYPES if "pickle" in t or t.startswith(("builtins.eval", "os.", "subprocess."))]


def test_a_file_with_another_type_is_refused_even_if_skops_would_trust_it(tmp_path: Path) -> None:
    tree = DecisionTreeClassifier().fit([[0.0], [1.0]], [0, 1])
    data = sio.dumps({"format": "bondlens.learned/1", "words": tree})
    with pytest.raises(ModelFileError, match="does not trust") as caught:
        model_from_bytes(data, "tree.skops")
    assert "sklearn.tree._classes.DecisionTreeClassifier" in str(caught.value)
    assert str(caught.value).startswith("tree.skops: ")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not a zip file at all", "not a readable model file"),
        (sio.dumps({"format": "something else"}), "not a bondlens model file"),
        (sio.dumps({"format": "bondlens.learned/1"}), "lacks a part"),
    ],
)
def test_damaged_or_foreign_files_are_one_clear_error(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "model.skops"
    path.write_bytes(data)
    with pytest.raises(ModelFileError, match=reason) as caught:
        load_model(path)
    assert str(path) in str(caught.value)
    assert isinstance(caught.value, BondlensError)


def test_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match=r"nope\.skops: cannot read"):
        load_model(tmp_path / "nope.skops")


def test_saving_a_loaded_model_gives_back_the_same_bytes(model: MentalManipModel) -> None:
    assert model.to_bytes() == shipped_model_path().read_bytes()
    with zipfile.ZipFile(io.BytesIO(model.to_bytes())) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_fast_reading_equals_the_scikit_learn_pipelines(model: MentalManipModel) -> None:
    texts = [PRESSING, FRIENDLY, "", "no speaker at all ?!", "Ünïcödé: да? нет!\nB: ok ok ok", "A:\n\nB: x"]
    assert model.tokens(texts) is not None  # the fast path is on for the shipped model
    docs = [canonical_speakers(t) for t in texts]
    words = model.words.predict_proba(docs)[:, 1]
    stats = model.stats.predict_proba(speaker_features(docs))[:, 1]
    expected = model.combiner.predict_proba(logit(np.column_stack([words, stats])))[:, 1]
    assert np.array_equal(model.scores(texts), expected)
    assert np.array_equal(model.technique_scores(texts), model.techniques.predict_proba(docs))
    assert np.array_equal(model.vulnerability_scores(texts), model.vulnerabilities.predict_proba(docs))


def test_predictions_follow_the_contract(model: MentalManipModel) -> None:
    predictions = classify([PRESSING, FRIENDLY], ids=["a", 7])
    assert [p.id for p in predictions] == ["a", 7]
    for p in predictions:
        assert isinstance(p, Prediction)
        assert isinstance(p.manipulative, bool)
        assert isinstance(p.score, float) and 0.0 <= p.score <= 1.0
        assert p.manipulative == (p.score >= model.threshold)
        assert set(p.techniques) <= set(TECHNIQUES)
        assert set(p.vulnerabilities) <= set(VULNERABILITIES)
        assert set(p.tactics) <= set(TACTICS)
        if p.manipulative:
            assert p.techniques and p.vulnerabilities  # the top label is always given
            assert p.tactics == tuple(dict.fromkeys(t for tech in p.techniques for t in TECHNIQUE_TACTICS[tech]))
        else:
            assert p.techniques == p.vulnerabilities == p.tactics == ()
    pressing, friendly = predictions
    assert pressing.manipulative and not friendly.manipulative
    assert pressing.score > friendly.score


def test_names_do_not_change_the_reading() -> None:
    renamed = PRESSING.replace("Sam:", "Person1:").replace("Robin:", "Person2:")
    other = PRESSING.replace("Sam:", "Mx Quinn-Ortega:").replace("Robin:", "田中:")
    scores = {p.score for p in classify([PRESSING, renamed, other])}
    assert len(scores) == 1


def test_empty_input_and_mismatched_ids() -> None:
    assert classify([]) == []
    with pytest.raises(ValueError, match="differ in length"):
        classify(["A: hi"], ids=[1, 2])


def test_same_input_same_output(model: MentalManipModel) -> None:
    texts = [PRESSING, FRIENDLY] * 3
    assert classify(texts) == classify(list(reversed(texts)))[::-1]
