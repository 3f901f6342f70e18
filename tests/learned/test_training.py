"""Training: deterministic, the labels and features it rests on, and (where the data is here) the shipped file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bondlens.errors import BondlensError, ImportFormatError
from bondlens.learned import TECHNIQUE_TACTICS, TECHNIQUES, shipped_model_path, tactics_for, train
from bondlens.learned.data import default_data_dir, load_split, training_sets
from bondlens.learned.features import N_SPEAKER_FEATURES, canonical_speakers, count_turns, speaker_features, split_turns
from bondlens.learned.labels import normalise_label
from bondlens.taxonomy import TACTICS

LINES = {
    True: [
        "Person1: You're worthless. Do it now or you'll regret it.\nPerson2: Please, I'm sorry.",
        "Person1: It's your fault. You made me do this.\nPerson2: I didn't mean to...",
        "Person1: Nobody else would ever love you.\nPerson2: I know. I'm sorry.",
        "Person1: Stop lying! You're crazy, that never happened.\nPerson2: Maybe I'm wrong.",
    ],
    False: [
        "Person1: Want to get lunch?\nPerson2: Sure, noon works.",
        "Person1: The train is late again.\nPerson2: Ugh, see you soon then.",
        "Person1: Happy birthday!\nPerson2: Thank you so much!",
        "Person1: Did you finish the report?\nPerson2: Yes, sent it this morning.",
    ],
}


def small_data(folder: Path) -> Path:
    """A tiny MentalManip-shaped data set (synthetic) in ``folder``."""
    techniques = [["Shaming or Belittlement", "Intimidation"], ["Accusation"], ["Persuasion or Seduction"], ["Denial"]]
    rows = []
    for i in range(40):
        manipulative = i % 2 == 0
        text = LINES[manipulative][(i // 2) % 4] + f"\nPerson1: ({i})"
        rows.append(
            {
                "id": str(i),
                "text": text,
                "manipulative": manipulative,
                "techniques": techniques[(i // 2) % 4] if manipulative else [],
                "vulnerabilities": ["low self-esteem"]
                if manipulative and i % 4 == 0
                else (["Naivety"] if manipulative else []),
            }
        )
    for name, part in (
        ("con_train", rows[:30]),
        ("con_valid", rows[30:]),
        ("maj_train", rows[:30]),
        ("maj_valid", rows[30:]),
    ):
        (folder / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
    return folder


def test_training_is_deterministic_and_keeps_validation_out(tmp_path: Path) -> None:
    data = small_data(tmp_path)
    sets = training_sets(data, "con")
    assert not {d.id for d in sets.binary} & {d.id for d in sets.valid}
    first, second = train(data), train(data)
    assert first.to_bytes() == second.to_bytes()
    assert first.threshold == 0.6205 and first.info["binary_dialogues"] == "30"
    predictions = first.predict([LINES[True][0], LINES[False][0]])
    assert predictions[0].score > predictions[1].score


def test_data_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(BondlensError, match=r"con_train\.jsonl: cannot read the MentalManip data"):
        load_split(tmp_path, "con_train")
    (tmp_path / "con_train.jsonl").write_text('{"id": 1, "text": "A: hi", "techniques": ["Telepathy"]}\n')
    with pytest.raises(ImportFormatError, match=r"con_train.jsonl:1: unknown MentalManip technique 'Telepathy'"):
        load_split(tmp_path, "con_train")


def test_labels_map_onto_bondlens_tactics() -> None:
    assert set(TECHNIQUE_TACTICS) == set(TECHNIQUES)
    assert {t for tactics in TECHNIQUE_TACTICS.values() for t in tactics} <= set(TACTICS)
    assert tactics_for(["Intimidation", "Brandishing Anger", "Denial"]) == (
        "intimidation",
        "coercion_threats",
        "blame_minimise_deny",
    )
    assert normalise_label(" playing victim role ") == "Playing Victim Role"
    assert normalise_label("Naivety") == "Naivete"
    assert normalise_label("Telepathy") is None


def test_turns_and_speaker_features_take_any_names() -> None:
    text = "Dr. Who: Listen to me!\ncontinued here\nRiver Song: no?\n  Dr. Who : fine..."
    assert split_turns(text) == [
        ("Dr. Who", "Listen to me! continued here"),
        ("River Song", "no?"),
        ("Dr. Who", "fine..."),
    ]
    assert count_turns(text) == 3
    assert canonical_speakers(text) == "Person1: Listen to me!\ncontinued here\nPerson2: no?\nPerson1: fine..."
    features = speaker_features([text, "", "just words"])
    assert features.shape == (3, N_SPEAKER_FEATURES)
    assert np.isfinite(features).all()
    assert np.array_equal(speaker_features([text]), speaker_features([canonical_speakers(text)]))


def test_a_fresh_training_run_reproduces_the_shipped_file() -> None:
    data = default_data_dir()
    if not (data / "con_train.jsonl").exists():
        pytest.skip(f"MentalManip is not at {data}")
    assert train(data).to_bytes() == shipped_model_path().read_bytes()
