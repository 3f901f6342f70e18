"""The LLM detector against a real HTTP server on 127.0.0.1 with canned answers."""

from __future__ import annotations

import json
import socket
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from bondlens.detectors.llm import LLMConfig, LLMDetector, LLMError
from bondlens.detectors.llm.cache import cache_path
from bondlens.model import Conversation
from tests.llm.fake_server import FakeLLM, Reply, batch_of, completion, findings_for

INSULT = ("stupid", "emotional_abuse", "You are so stupid", 0.9)
THREAT = ("sister's", "isolation", "don't bother coming back", 0.8)
SELF_BLAME = ("my fault", "self_blame", "it's my fault", 0.7)


def config(fake: FakeLLM, **kw: Any) -> LLMConfig:
    base: dict[str, Any] = {"url": fake.url, "model": "fake-model", "backoff": 0.01, "timeout": 5.0}
    return LLMConfig(**(base | kw))


def test_findings_carry_the_models_quote_as_evidence(fake: FakeLLM, conversation: Conversation) -> None:
    fake.respond = findings_for([INSULT, THREAT, SELF_BLAME])
    detector = LLMDetector(config(fake, batch_size=3, context=2))
    findings = detector.detect(conversation, me="a")

    got = {(f.message_id, f.label, f.evidence, f.label_set, f.detector) for f in findings}
    assert got == {
        (0, "emotional_abuse", "You are so stupid", "tactic", "llm"),
        (1, "self_blame", "it's my fault", "sign", "llm"),
        (2, "isolation", "don't bother coming back", "tactic", "llm"),
    }
    for f in findings:
        assert conversation.messages[f.message_id].text[f.span.start : f.span.end] == f.evidence
        assert "fake-model" in f.explanation.text()
    assert findings[0].score == 0.9
    assert detector.stats.requests == 2 and detector.stats.dropped_quotes == 0

    # two batches go out concurrently, so the server may see them in either order
    batches = sorted((batch_of(r) for r in fake.requests), key=lambda b: b["messages"][0]["id"])
    request = next(r for r in fake.requests if batch_of(r) == batches[0])
    assert request["model"] == "fake-model"
    assert request["response_format"] == {"type": "json_object"}
    system = request["messages"][0]["content"]
    assert "Name-calling, humiliation" in system and "Believing the harm is your own fault" in system
    assert '"findings"' in system  # the JSON schema is in the prompt
    second = batches[1]
    assert [m["id"] for m in second["context"]] == [1, 2]  # earlier messages as context
    assert [(m["id"], m["look_for"]) for m in second["messages"]] == [(3, "signs"), (4, "tactics"), (5, "signs")]


def test_tactics_only_in_the_other_persons_messages(fake: FakeLLM, conversation: Conversation) -> None:
    # the model claims a tactic in the user's own message and a sign in the other's: both refused
    fake.respond = findings_for(
        [("my fault", "emotional_abuse", "my fault", 0.9), ("stupid", "self_blame", "stupid", 0.9)]
    )
    detector = LLMDetector(config(fake))
    assert detector.detect(conversation, me="a") == []
    assert detector.stats.invalid_items == 2
    # without --me every message is read for both
    assert len(LLMDetector(config(fake, use_cache=False)).detect(conversation)) == 2


def test_a_quote_that_is_not_in_the_message_is_dropped_and_counted(fake: FakeLLM, conversation: Conversation) -> None:
    fake.respond = findings_for([INSULT, ("sister's", "coercion_threats", "I will hurt you", 0.95)])
    detector = LLMDetector(config(fake))
    findings = detector.detect(conversation, me="a")
    assert [(f.message_id, f.label) for f in findings] == [(0, "emotional_abuse")]
    assert detector.stats.dropped_quotes == 1
    assert "1 quotes not in their message dropped" in detector.stats.summary()


def test_a_quote_with_other_case_or_quote_marks_is_found(fake: FakeLLM, conversation: Conversation) -> None:
    fake.respond = findings_for([("stupid", "emotional_abuse", '"you ARE so stupid"', 0.9)])
    [finding] = LLMDetector(config(fake)).detect(conversation, me="a")
    assert finding.evidence == "You are so stupid"


def test_malformed_json_is_retried_then_the_batch_is_skipped_and_counted(
    fake: FakeLLM, conversation: Conversation
) -> None:
    good = findings_for([INSULT, THREAT])

    def broken_first_batch(request: dict[str, Any]) -> Reply:
        if any(m["id"] == 0 for m in batch_of(request)["messages"]):
            return Reply(body=completion("Sure! Here are the findings: {findings: [oops"))
        return good(request)

    fake.respond = broken_first_batch
    detector = LLMDetector(config(fake, retries=2, batch_size=2))
    findings = detector.detect(conversation, me="a")
    assert [(f.message_id, f.label) for f in findings] == [(2, "isolation")]  # message 0 was never judged
    assert detector.stats.requests == 3 + 1 + 1  # the broken batch: 1 + 2 retries
    assert detector.stats.skipped_messages == 2
    assert "2 messages skipped (no valid JSON after retries)" in detector.stats.summary()


def test_a_model_that_never_answers_json_is_a_clear_error(fake: FakeLLM, conversation: Conversation) -> None:
    fake.respond = lambda _r: Reply(body=completion("I cannot help with that."))
    with pytest.raises(LLMError, match="'fake-model' never answered with the JSON asked for \\(2 tries per batch\\)"):
        LLMDetector(config(fake, retries=1, batch_size=4)).detect(conversation, me="a")
    assert len(fake.requests) == 4


def test_a_malformed_answer_then_a_good_one_gives_the_findings(fake: FakeLLM, conversation: Conversation) -> None:
    good = findings_for([INSULT])
    calls: list[int] = []

    def flaky(request: dict[str, Any]) -> Reply:
        calls.append(1)
        if len(calls) == 1:
            return Reply(body=completion(json.dumps({"results": []})))  # valid JSON, wrong shape
        return good(request)

    fake.respond = flaky
    detector = LLMDetector(config(fake, concurrency=1))
    assert [f.label for f in detector.detect(conversation, me="a")] == ["emotional_abuse"]
    assert detector.stats.requests == 2 and detector.stats.skipped_messages == 0


def test_a_json_answer_in_a_code_fence_is_read(fake: FakeLLM, conversation: Conversation) -> None:
    inner = findings_for([INSULT])

    def fenced(request: dict[str, Any]) -> Reply:
        content = inner(request).body["choices"][0]["message"]["content"]
        return Reply(body=completion(f"```json\n{content}\n```"))

    fake.respond = fenced
    assert len(LLMDetector(config(fake)).detect(conversation, me="a")) == 1


def test_a_server_that_does_not_answer_in_time_is_a_clear_error(fake: FakeLLM, conversation: Conversation) -> None:
    fake.respond = lambda _r: Reply(body=completion('{"findings": []}'), delay=1.5)
    began = time.monotonic()
    with pytest.raises(LLMError, match=r"did not answer within 0.2 s \(tried 2 times\)"):
        LLMDetector(config(fake, timeout=0.2, retries=1)).detect(conversation, me="a")
    assert time.monotonic() - began < 1.4


def test_a_5xx_is_retried(fake: FakeLLM, conversation: Conversation) -> None:
    good = findings_for([INSULT])
    calls: list[int] = []

    def busy(request: dict[str, Any]) -> Reply:
        calls.append(1)
        return Reply(503, {"error": "loading model"}) if len(calls) == 1 else good(request)

    fake.respond = busy
    detector = LLMDetector(config(fake, concurrency=1))
    assert len(detector.detect(conversation, me="a")) == 1
    assert detector.stats.requests == 2


def test_an_unknown_model_is_one_clear_line_without_retries(fake: FakeLLM, conversation: Conversation) -> None:
    with pytest.raises(LLMError) as caught:
        LLMDetector(config(fake, model="llama9:70b", batch_size=100)).detect(conversation, me="a")
    message = str(caught.value)
    assert "'llama9:70b'" in message and "not found, try pulling it first" in message and "\n" not in message
    assert len(fake.requests) == 1


def test_a_server_that_is_down_is_one_clear_line(conversation: Conversation) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cfg = LLMConfig(url=f"http://127.0.0.1:{port}/v1", model="m", backoff=0.01)
    with pytest.raises(
        LLMError, match=r"cannot reach the LLM server at http://127.0.0.1:\d+/v1 .*is the server running"
    ):
        LLMDetector(cfg).detect(conversation, me="a")


def test_a_remote_url_is_refused_before_anything_is_sent(conversation: Conversation) -> None:
    cfg = LLMConfig(url="http://192.0.2.10:11434/v1", model="m")
    with pytest.raises(LLMError, match=r"refusing to send the conversation to 192\.0\.2\.10.*--allow-remote"):
        LLMDetector(cfg).detect(conversation, me="a")


def test_the_cache_answers_a_second_run_without_requests(fake: FakeLLM, conversation: Conversation) -> None:
    fake.respond = findings_for([INSULT, THREAT, ("sister's", "coercion_threats", "made up", 0.5)])
    first = LLMDetector(config(fake))
    found = first.detect(conversation, me="a")
    assert first.stats.requests == 1
    path = cache_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

    again = LLMDetector(config(fake))
    assert again.detect(conversation, me="a") == found
    assert again.stats.requests == 0 and again.stats.from_cache == 6
    assert again.stats.dropped_quotes == 1  # the same made-up quote is dropped again
    assert len(fake.requests) == 1

    other_model = LLMDetector(config(fake, model="fake-2"))
    fake.models = ("fake-model", "fake-2")
    other_model.detect(conversation, me="a")
    assert other_model.stats.requests == 1  # a cache entry belongs to one model


def test_no_cache_keeps_nothing_on_disk(fake: FakeLLM, conversation: Conversation) -> None:
    for _ in range(2):
        detector = LLMDetector(config(fake, use_cache=False))
        detector.detect(conversation, me="a")
        assert detector.stats.requests == 1
    assert not cache_path().exists()


def test_concurrency_is_limited(fake: FakeLLM, conversation: Conversation) -> None:
    import threading

    active, peak = [0], [0]
    lock = threading.Lock()

    def slow(_request: dict[str, Any]) -> Reply:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return Reply(body=completion('{"findings": []}'))

    fake.respond = slow
    detector = LLMDetector(config(fake, batch_size=1, concurrency=2, use_cache=False))
    detector.detect(conversation, me="a")
    assert detector.stats.requests == 6 and peak[0] == 2


def test_the_config_file_is_read(private_dirs: Path, fake: FakeLLM, conversation: Conversation) -> None:
    folder = private_dirs / "config" / "bondlens"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text(f'[llm]\nurl = "{fake.url}"\nmodel = "fake-model"\nbatch_size = 2\n')
    detector = LLMDetector()
    assert detector.config.batch_size == 2
    detector.detect(conversation, me="a")
    assert detector.stats.requests == 3


def test_a_bad_config_file_is_a_clear_error(private_dirs: Path) -> None:
    folder = private_dirs / "config" / "bondlens"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text("[llm]\ntimeout = 'soon'\n")
    with pytest.raises(LLMError, match=r"config.toml: llm.timeout has the wrong type"):
        LLMDetector()
