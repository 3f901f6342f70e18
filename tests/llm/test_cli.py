"""`bondlens detect --detector llm` as a user runs it, against the fake server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bondlens.detectors.llm import LLMError, check_url
from tests.conftest import EXAMPLES
from tests.llm.fake_server import FakeLLM, findings_for
from tests.test_no_network import GUARD

CHAT = EXAMPLES / "whatsapp_cycle.txt"
JEALOUS = ("I was jealous and stupid", "reinforcement", "I'm so sorry Alex", 0.8)
FAULT = ("It's my fault too", "self_blame", "It's my fault too", 0.75)


def run(*args: str | Path, guard: bool = False) -> subprocess.CompletedProcess[str]:
    """Run bondlens in a fresh process with this test's XDG folders (set by the autouse fixture)."""
    code = (GUARD if guard else "import sys\nsys.argv = ['bondlens', *sys.argv[1:]]\n") + (
        "from bondlens.cli import main\nmain()"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )


def test_detect_with_the_llm_detector(fake: FakeLLM) -> None:
    fake.respond = findings_for([JEALOUS, FAULT])
    args = ("detect", CHAT, "--me", "Alex", "-d", "llm", "--llm-url", fake.url, "--llm-model", "fake-model")
    result = run(*args, "--jsonl")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {(r["label"], r["evidence"], r["sender_name"]) for r in records} == {
        ("reinforcement", "I'm so sorry Alex", "Jordan"),
        ("self_blame", "It's my fault too", "Alex"),
    }
    assert all(r["detector"] == "llm" for r in records)
    assert "llm: 2 findings in" in result.stderr and "0 quotes not in their message dropped" in result.stderr
    sent = len(fake.requests)
    assert sent > 10

    again = run(*args)  # the table, from the cache: the server is not asked again
    assert again.returncode == 0, again.stderr
    assert "Positive reinforcement" in again.stdout and "Self-blame" in again.stdout
    assert len(fake.requests) == sent and "0 requests" in again.stderr


def test_the_config_file_gives_url_and_model_and_the_command_line_wins(fake: FakeLLM, private_dirs: Path) -> None:
    chat = private_dirs / "chat.txt"
    chat.write_text("14/01/2026, 21:15 - Jordan: You never listen\n14/01/2026, 21:16 - Alex: It's my fault too\n")
    folder = private_dirs / "config" / "bondlens"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text(f'[llm]\nurl = "{fake.url}"\nmodel = "not-here"\nbatch_size = 50\n')
    fake.respond = findings_for([FAULT])
    ok = run("detect", chat, "--me", "Alex", "-d", "llm", "--llm-model", "fake-model", "--no-cache", "--jsonl")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count("\n") == 1 and len(fake.requests) == 1
    assert not (private_dirs / "cache" / "bondlens" / "llm-cache.json").exists()

    unknown = run("detect", chat, "--me", "Alex", "-d", "llm")
    assert unknown.returncode == 2
    assert unknown.stderr.count("\n") == 1
    assert "does not know model 'not-here'" in unknown.stderr and "Traceback" not in unknown.stderr


def test_a_remote_url_is_refused_without_opening_a_socket(fake: FakeLLM) -> None:
    result = run(
        "detect", CHAT, "--me", "Alex", "-d", "llm", "--llm-url", "http://llm.example.com/v1", "--llm-model", "m",
        guard=True,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "NETWORK" not in result.stderr
    assert "refusing to send the conversation to llm.example.com" in result.stderr
    assert "--allow-remote" in result.stderr


def test_the_server_down_is_one_line(private_dirs: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run(
        "detect", CHAT, "--me", "Alex", "-d", "llm", "--llm-url", f"http://127.0.0.1:{port}/v1", "--llm-model", "m"
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot reach the LLM server") and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:11434/v1", "http://127.8.9.10/v1", "http://[::1]:8080/v1", "http://localhost:1234/v1"]
)
def test_loopback_urls_are_accepted(url: str) -> None:
    assert check_url(url, allow_remote=False) is None


@pytest.mark.parametrize(
    "url", ["http://10.0.0.5:11434/v1", "https://api.openai.com/v1", "http://[::ffff:8.8.8.8]/v1", "http://0.0.0.0/v1"]
)
def test_other_urls_need_allow_remote_and_then_warn(url: str) -> None:
    with pytest.raises(LLMError, match="--allow-remote"):
        check_url(url, allow_remote=False)
    warning = check_url(url, allow_remote=True)
    assert warning is not None and "will leave this machine" in warning


def test_the_default_path_never_loads_the_llm_detector() -> None:
    # tests/test_no_network.py proves that the default `detect` opens no socket; this proves that nothing on
    # that path even imports the LLM detector (it is loaded only inside `--detector llm`).
    code = (
        "import sys\nimport bondlens.cli, bondlens.detectors.rules, bondlens.detectors.messagemodel\n"
        "from bondlens.cli import detect_cmd\n"
        "print('LOADED' if any(m.startswith('bondlens.detectors.llm') for m in sys.modules) else 'NOT LOADED')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "NOT LOADED", result.stderr
