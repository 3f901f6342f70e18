"""No byte string crashes any importer: every failure is one of our own errors, with a message.

Runs against every registered importer, on random bytes and on damaged copies of the bundled examples
(truncated, with bytes flipped, with a piece cut out), both with the format named and with detection.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bondlens.errors import BondlensError
from bondlens.importers import ImportOptions, importers, load_conversation
from tests.conftest import EXAMPLES

NAMES = sorted(importers())
EXAMPLE_BYTES = {p.name: p.read_bytes() for p in sorted(EXAMPLES.iterdir()) if p.is_file()}
SUFFIXES = [".txt", ".json", ".zip", ".xml", ".csv", ".jsonl", ".db", ".md"]

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_bytes_as(data: bytes, suffix: str, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        path.write_bytes(data)
        try:
            conversation = load_conversation(path, fmt, ImportOptions(dayfirst=True))
        except BondlensError as exc:
            assert str(exc), "an error must say something"
            assert "\n" not in str(exc), f"one line please: {exc!r}"
        else:
            assert conversation.messages


def test_every_format_is_fuzzed() -> None:
    assert len(NAMES) >= 1


@pytest.mark.parametrize("fmt", ["auto", *NAMES])
@FUZZ
@given(data=st.binary(max_size=2048), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes(fmt: str, data: bytes, suffix: str) -> None:
    read_bytes_as(data, suffix, fmt)


@st.composite
def damaged_example(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(EXAMPLE_BYTES)))
    data = bytearray(EXAMPLE_BYTES[name])
    action = draw(st.sampled_from(["truncate", "flip", "cut", "insert"]))
    at = draw(st.integers(0, max(0, len(data) - 1)))
    if action == "truncate":
        del data[at:]
    elif action == "flip":
        for offset in draw(st.lists(st.integers(0, max(0, len(data) - 1)), min_size=1, max_size=8)):
            if data:
                data[offset] = draw(st.integers(0, 255))
    elif action == "cut":
        del data[at : at + draw(st.integers(1, 400))]
    else:
        data[at:at] = draw(st.binary(min_size=1, max_size=64))
    return name, bytes(data)


@pytest.mark.parametrize("fmt", ["auto", *NAMES])
@FUZZ
@given(example=damaged_example())
def test_damaged_examples(fmt: str, example: tuple[str, bytes]) -> None:
    name, data = example
    read_bytes_as(data, Path(name).suffix, fmt)
