"""bench/llm_eval.py against the fake server, on five dialogues of each validation portion."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from bondlens.learned.data import default_data_dir
from tests.conftest import ROOT
from tests.llm.fake_server import FakeLLM, Reply, completion

DATA = default_data_dir()


@pytest.mark.skipif(not (DATA / "con_valid.jsonl").exists(), reason="MentalManip data not beside the repository")
def test_llm_eval_prints_the_mentalmanip_table(fake: FakeLLM) -> None:
    def answer(request: dict[str, Any]) -> Reply:
        dialogue = request["messages"][-1]["content"]
        if "Person2: No it's okay" in dialogue:
            return Reply(body=completion("no JSON here"))  # never valid: counted, not fatal
        verdict = {"manipulative": len(dialogue) % 2 == 0, "confidence": 0.8}
        return Reply(body=completion(json.dumps(verdict)))

    fake.respond = answer
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "llm_eval.py"), fake.url, "fake-model", "--limit", "5", "--no-ours"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "| set | threshold | accuracy | precision | recall | F1 (manipulative) | macro-F1 | ROC-AUC |" in out
    assert out.count("| con |") == 2 and out.count("| maj |") == 2
    assert "con_valid: 5 dialogues" in out and "1 without a valid answer" in out
    assert len(fake.requests) == 5 + 2 + 5  # the unanswerable dialogue was tried three times


def test_llm_eval_refuses_a_remote_server() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "llm_eval.py"), "http://203.0.113.5/v1", "m", "--limit", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--allow-remote" in result.stderr
