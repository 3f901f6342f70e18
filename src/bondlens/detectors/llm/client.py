"""A small client for the OpenAI-compatible ``POST {url}/chat/completions``: stdlib only, no proxy, with a
timeout, bounded retries with backoff, and one-line errors for the usual failures."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from bondlens.detectors.llm.config import LLMConfig, LLMError

BODY_SHOWN = 200  # characters of an error body quoted in a message


class MalformedAnswer(Exception):
    """The server answered, but not with what was asked for (parse error, wrong shape)."""


def _error_text(body: bytes) -> str:
    """The ``error.message`` (or ``error``) of an error body, else its first characters."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:BODY_SHOWN]
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data))
        if isinstance(error, dict):
            error = error.get("message", error)
        return " ".join(str(error).split())[:BODY_SHOWN]
    return " ".join(text.split())[:BODY_SHOWN]


class ChatClient:
    """Sends chat completions; counts the requests it makes (``requests``)."""

    def __init__(self, config: LLMConfig, sleep: Callable[[float], None] = time.sleep) -> None:
        if not config.model:
            raise LLMError("the llm detector needs a model: --llm-model NAME (or model = in [llm] of config.toml)")
        self.config = config
        self.endpoint = config.url.rstrip("/") + "/chat/completions"
        self.sleep = sleep
        self.requests = 0
        self._lock = threading.Lock()
        # no ProxyHandler settings: an http_proxy variable must not route a loopback conversation elsewhere
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def complete_json(self, messages: list[dict[str, str]], validate: Callable[[Any], Any]) -> Any:
        """Ask for a JSON object and return ``validate(parsed)``. Timeouts, 5xx, 429 and answers that fail to
        parse or validate (``validate`` raises :class:`MalformedAnswer`) are retried ``config.retries`` times;
        after that a timeout or server error raises :class:`LLMError` and a malformed answer re-raises
        :class:`MalformedAnswer` (the caller decides whether to skip)."""
        payload = {
            "model": self.config.model,
            "messages": messages,
            "temperature": 0,
            "stream": False,
            "response_format": {"type": "json_object"},
        }
        attempts = self.config.retries + 1
        delay = self.config.backoff
        last: Exception | None = None
        for attempt in range(attempts):
            if attempt:
                self.sleep(delay)
                delay *= 2
            try:
                content = self._post(payload)
            except _Retryable as exc:
                last = exc
                continue
            try:
                parsed = json.loads(_strip_fence(content))
            except ValueError as exc:
                last = MalformedAnswer(f"the answer is not JSON ({exc})")
                continue
            try:
                return validate(parsed)
            except MalformedAnswer as exc:
                last = exc
                continue
        if isinstance(last, MalformedAnswer):
            raise last
        raise LLMError(f"{last} (tried {attempts} times)")

    def _post(self, payload: dict[str, Any]) -> str:
        data = json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        request = urllib.request.Request(self.endpoint, data=data, headers=headers, method="POST")
        with self._lock:
            self.requests += 1
        where = f"the LLM server at {self.config.url}"
        try:
            with self._opener.open(request, timeout=self.config.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            detail = _error_text(exc.read())
            if exc.code >= 500 or exc.code == 429:
                raise _Retryable(f"{where} failed (HTTP {exc.code}: {detail})") from None
            if exc.code == 404 or ("model" in detail.lower() and "not" in detail.lower()):
                raise LLMError(
                    f"{where} does not know model {self.config.model!r} or has no /chat/completions "
                    f"(HTTP {exc.code}: {detail})"
                ) from None
            raise LLMError(f"{where} refused the request (HTTP {exc.code}: {detail})") from None
        except TimeoutError:
            raise _Retryable(f"{where} did not answer within {self.config.timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise _Retryable(f"{where} did not answer within {self.config.timeout:g} s") from None
            reason = getattr(exc.reason, "strerror", None) or str(exc.reason)
            raise LLMError(f"cannot reach {where} ({reason}); is the server running?") from None
        except (ConnectionError, OSError) as exc:
            raise LLMError(f"cannot reach {where} ({exc.strerror or exc}); is the server running?") from None
        return _content(body, where)


class _Retryable(Exception):
    pass


def _content(body: bytes, where: str) -> str:
    """``choices[0].message.content`` of a completion; an error object in a 200 answer is an error."""
    try:
        data = json.loads(body)
    except ValueError:
        raise _Retryable(f"{where} did not answer with JSON") from None
    if isinstance(data, dict) and "error" in data and "choices" not in data:
        detail = _error_text(body)
        if "model" in detail.lower():
            raise LLMError(f"{where}: {detail}")
        raise _Retryable(f"{where}: {detail}")
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise _Retryable(f"{where} answered without choices[0].message.content") from None
    if not isinstance(content, str):
        raise _Retryable(f"{where} answered with a non-text message")
    return content


def _strip_fence(text: str) -> str:
    """Some models wrap JSON in a Markdown code fence even when asked not to."""
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        if text.rstrip().endswith("```"):
            text = text.rstrip()[:-3]
    return text
