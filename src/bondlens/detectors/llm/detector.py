"""The LLM detector: messages in batches (with a few earlier messages as context) to a local OpenAI-compatible
server; its findings are kept only where the quoted evidence really is in the message."""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from bondlens.detectors.llm.cache import AnswerCache, cache_key, cache_path
from bondlens.detectors.llm.client import ChatClient, MalformedAnswer
from bondlens.detectors.llm.config import LLMConfig, LLMError, check_url, load_config
from bondlens.detectors.llm.prompt import PROMPT_VERSION, Claim, Item, LookFor, chat_messages, locate, validate
from bondlens.model import Conversation, Explanation, Finding, Message, Span
from bondlens.taxonomy import SIGNS, TACTICS, labels


@dataclass
class LLMStats:
    """What a run did; ``dropped_quotes`` are findings whose evidence was not in the message."""

    messages: int = 0
    requests: int = 0
    from_cache: int = 0
    skipped_messages: int = 0  # the model never gave a usable answer for them
    dropped_quotes: int = 0
    invalid_items: int = 0
    findings: int = 0

    def summary(self) -> str:
        parts = [
            f"llm: {self.findings} findings in {self.messages} messages",
            f"{self.requests} requests",
            f"{self.from_cache} messages from the cache",
            f"{self.dropped_quotes} quotes not in their message dropped",
        ]
        if self.invalid_items:
            parts.append(f"{self.invalid_items} answers outside the schema dropped")
        if self.skipped_messages:
            parts.append(f"{self.skipped_messages} messages skipped (no valid JSON after retries)")
        return "; ".join(parts)


@dataclass(frozen=True)
class _Batch:
    context: list[Item]
    targets: list[Item]
    keys: dict[int, str]


def _warn(text: str) -> None:
    sys.stderr.write(text + "\n")


class LLMDetector:
    """Asks a local LLM for tactics (in the other person's messages) and signs (in yours).

    Built with no arguments (as the entry point ``llm.v1`` does) it reads ``[llm]`` from the config file;
    ``config`` replaces that. Nothing is sent before :meth:`detect`.
    """

    name = "llm"
    version = PROMPT_VERSION
    labels: tuple[str, ...] = TACTICS + SIGNS

    def __init__(self, config: LLMConfig | None = None, *, warn: Callable[[str], None] = _warn) -> None:
        self.config = config if config is not None else load_config()
        self.warn = warn
        self.stats = LLMStats()

    def detect(self, conversation: Conversation, *, me: str | None = None) -> list[Finding]:
        config = self.config
        warning = check_url(config.url, config.allow_remote)
        client = ChatClient(config)
        if warning:
            self.warn(warning)
        self.stats = stats = LLMStats()
        cache = AnswerCache(cache_path() if config.use_cache else None)
        messages = [m for m in conversation.messages if not m.is_system and m.text.strip()]
        stats.messages = len(messages)
        speakers = {p.id: f"person{n}" for n, p in enumerate(conversation.participants, start=1)}
        items = [self._item(m, me, speakers) for m in messages]
        by_id = {m.id: m for m in messages}

        claims: dict[int, list[Claim]] = {}
        batches: list[_Batch] = []
        for first in range(0, len(items), config.batch_size):
            targets = items[first : first + config.batch_size]
            keys = {item.id: self._key(items, first + n) for n, item in enumerate(targets)}
            missing = []
            for item in targets:
                cached = cache.get(keys[item.id])
                if cached is None:
                    missing.append(item)
                else:
                    claims[item.id] = [_claim(item.id, c) for c in cached]
                    stats.from_cache += 1
            if missing:
                context = items[max(0, first - config.context) : first]
                batches.append(_Batch(context, missing, keys))

        try:
            answers = self._run(client, batches)
            if answers and all(answer is None for _, answer in answers):
                raise LLMError(
                    f"the model {config.model!r} never answered with the JSON asked for "
                    f"({config.retries + 1} tries per batch); try another model or a larger one"
                )
            for batch, answer in answers:
                if answer is None:
                    stats.skipped_messages += len(batch.targets)
                    continue
                got, invalid = answer
                stats.invalid_items += invalid
                for item in batch.targets:
                    mine = [c for c in got if c.message == item.id]
                    claims[item.id] = mine
                    cache.put(batch.keys[item.id], [_claim_record(c) for c in mine])
        finally:
            stats.requests = client.requests
            cache.save()

        best: dict[tuple[int, str], Finding] = {}
        for message_id, found in claims.items():
            message = by_id[message_id]
            for claim in found:
                finding = self._finding(message, claim)
                if finding is None:
                    stats.dropped_quotes += 1
                    continue
                key = (message_id, claim.label)
                if key not in best or finding.score > best[key].score:
                    best[key] = finding
        findings = sorted(best.values(), key=lambda f: (f.message_id, f.span.start, f.label))
        stats.findings = len(findings)
        return findings

    def _item(self, message: Message, me: str | None, speakers: dict[str, str]) -> Item:
        look_for: LookFor
        if me is None:
            sender, look_for = speakers.get(message.sender or "", "unknown"), "both"
        elif message.sender == me:
            sender, look_for = "me", "signs"
        else:
            sender, look_for = "other", "tactics"
        return Item(message.id, sender, message.text, look_for)

    def _key(self, items: list[Item], index: int) -> str:
        item = items[index]
        context = [(c.sender, c.text) for c in items[max(0, index - self.config.context) : index]]
        return cache_key(PROMPT_VERSION, self.config.model, item.look_for, context, item.sender, item.text)

    def _run(
        self, client: ChatClient, batches: list[_Batch]
    ) -> list[tuple[_Batch, tuple[tuple[Claim, ...], int] | None]]:
        """Every batch, ``concurrency`` at a time. A malformed answer (after retries) skips its batch; any other
        error stops the run at once and is raised."""

        def ask(batch: _Batch) -> tuple[tuple[Claim, ...], int] | None:
            try:
                answer = client.complete_json(
                    chat_messages(batch.context, batch.targets), lambda data: validate(data, batch.targets)
                )
            except MalformedAnswer:
                return None
            return answer.claims, answer.invalid

        if not batches:
            return []
        with ThreadPoolExecutor(max_workers=self.config.concurrency, thread_name_prefix="bondlens-llm") as pool:
            futures: dict[Future[tuple[tuple[Claim, ...], int] | None], _Batch] = {
                pool.submit(ask, b): b for b in batches
            }
            done, pending = wait(futures, return_when=FIRST_EXCEPTION)
            for future in done:
                if future.exception() is not None:
                    for other in pending:
                        other.cancel()
                    error = future.exception()
                    assert error is not None
                    raise error
            return [(futures[f], f.result()) for f in futures]

    def _finding(self, message: Message, claim: Claim) -> Finding | None:
        where = locate(message.text, claim.evidence)
        if where is None:
            return None
        start, end = where
        label = labels()[claim.label]
        why = f" {claim.reason}" if claim.reason else ""
        return Finding(
            detector=self.name,
            label=claim.label,
            label_set="tactic" if claim.label in TACTICS else "sign",
            message_id=message.id,
            sender=message.sender,
            span=Span(start, end),
            evidence=message.text[start:end],
            score=round(claim.confidence, 4),
            explanation=Explanation(
                summary=f"The local model {self.config.model} read this as {label.name.lower()}.{why}",
                matched=message.text[start:end],
                base_score=claim.confidence,
                source=f"llm:{self.config.model}",
            ),
        )


def _claim_record(claim: Claim) -> dict[str, Any]:
    return {"label": claim.label, "evidence": claim.evidence, "confidence": claim.confidence, "reason": claim.reason}


def _claim(message_id: int, record: dict[str, Any]) -> Claim:
    return Claim(message_id, record["label"], record["evidence"], float(record["confidence"]), record["reason"])
