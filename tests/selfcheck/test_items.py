"""The questionnaire data file: every sign asked about, gentle questions, sources, honest scoring source."""

from __future__ import annotations

import re
from collections import Counter
from importlib import resources
from typing import Any

import pytest
import yaml

from bondlens.selfcheck.items import parse, questionnaire
from bondlens.taxonomy import SIGNS
from tests.selfcheck.helpers import overstatements

LOADED = re.compile(r"\b(abus\w*|trauma\w*|toxic|narciss\w*|victim|disorder|manipulat\w*|gaslight\w*)\b", re.I)


def raw() -> dict[str, Any]:
    text = resources.files("bondlens.selfcheck").joinpath("data/items.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def test_every_sign_and_the_cycle_are_asked_about_twice() -> None:
    q = questionnaire()
    per_sign = Counter(item.sign for item in q.items)
    assert set(per_sign) == {*SIGNS, "cycle"}
    assert all(count >= 2 for count in per_sign.values()), per_sign
    assert 16 <= len(q.items) <= 20
    assert q.groups["cycle"].name == "The cycle of harm and affection"
    assert q.groups["self_blame"].name == "Self-blame"  # taxonomy names for the signs


def test_questions_are_plain_gentle_and_have_a_source() -> None:
    for item in questionnaire().items:
        assert item.question.startswith("In the last few months, ha"), item.id
        assert item.question.endswith("?"), item.id
        assert not LOADED.search(item.question), f"{item.id} uses a loaded word: {item.question}"
        assert len(item.question) <= 160, item.id
        assert "domain.md" in item.source, item.id
        assert item.id.startswith(item.sign + "."), item.id


def test_scale_and_skip() -> None:
    q = questionnaire()
    assert [(c.value, c.text) for c in q.scale] == [(0, "Never"), (1, "Sometimes"), (2, "Often"), (3, "Very often")]
    assert q.skip_text == "Prefer not to say"


def test_bands_rise_and_say_it_is_an_indication() -> None:
    q = questionnaire()
    assert [b.id for b in q.bands] == ["unclear", "few_signs", "some_signs", "many_signs"]
    shares = [b.min_share for b in q.bands[1:]]
    strong = [b.min_strong_signs for b in q.bands[1:]]
    assert shares == sorted(shares) and strong == sorted(strong)  # type: ignore[type-var]
    for band in q.bands:
        words = " ".join([band.summary, *band.may_mean, *band.does_not_mean, band.help])
        assert overstatements(words) == [], band.id
        assert band.help
    for band in q.bands[2:]:
        assert "indication" in band.summary and "not a diagnosis" in band.summary


def test_the_scoring_source_is_stated_honestly() -> None:
    data = raw()
    assert "own heuristic" in data["scoring"]["source"]
    assert "not a validated clinical" in data["scoring"]["source"]
    assert "not a validated clinical instrument" in questionnaire().not_validated
    assert all(band["source"] for band in data["bands"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["items"][0].update(sign="hope"), "neither a taxonomy sign nor a group"),
        (lambda d: d["items"][0].update(source=""), "has no source"),
        (lambda d: d["items"][1].update(id=d["items"][0]["id"]), "not unique"),
        (lambda d: d["bands"][0].update(min_share=0.1), "too few answers"),
        (lambda d: d["scoring"].update(source=" "), "scoring has no source"),
        (lambda d: d["alerts"][0].update(sign="nobody"), "no item asks about it"),
    ],
)
def test_a_broken_data_file_fails_loudly(change: Any, message: str) -> None:
    data = raw()
    change(data)
    with pytest.raises(ValueError, match=message):
        parse(data)
