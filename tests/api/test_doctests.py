"""The examples in the public modules' docstrings run and give what they show (run from the repository's folder,
where the bundled examples/ are)."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

import bondlens
import bondlens.api
import bondlens.serialize
from tests.conftest import ROOT


@pytest.mark.parametrize("module", [bondlens, bondlens.api, bondlens.serialize], ids=lambda m: m.__name__)
def test_docstring_examples_run(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {module.__name__}"
    assert result.attempted >= 1


def test_every_public_function_has_a_runnable_example() -> None:
    finder = doctest.DocTestFinder()
    tested = {test.name.rsplit(".", 1)[-1] for test in finder.find(bondlens.api) if test.examples}
    assert {"load_conversation", "detect", "analyse", "render", "classify", "resolve_me"} <= tested
