"""A small OpenAI-compatible server for the tests: real HTTP on 127.0.0.1, canned completions."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # a dict is sent as JSON, a str as it is
    delay: float = 0.0


def completion(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
    }


def batch_of(request: dict[str, Any]) -> dict[str, Any]:
    """The document of messages bondlens sent (the last user message is JSON)."""
    loaded: dict[str, Any] = json.loads(request["messages"][-1]["content"])
    return loaded


Trigger = tuple[str, str, str, float]  # (words that trigger it, label, quoted evidence, confidence)


def findings_for(triggers: list[Trigger]) -> Callable[[dict[str, Any]], Reply]:
    """Answer every batch with a finding for each target message containing a trigger's words."""

    def respond(request: dict[str, Any]) -> Reply:
        found = []
        for message in batch_of(request)["messages"]:
            for words, label, evidence, confidence in triggers:
                if words in message["text"]:
                    found.append(
                        {
                            "message": message["id"],
                            "label": label,
                            "evidence": evidence,
                            "confidence": confidence,
                            "reason": "canned",
                        }
                    )
        return Reply(body=completion(json.dumps({"findings": found})))

    return respond


@dataclass
class FakeLLM:
    """``url`` is the /v1 base. ``respond`` decides each answer; ``requests`` records every request body."""

    models: tuple[str, ...] = ("fake-model",)
    respond: Callable[[dict[str, Any]], Reply] = field(default=lambda _r: Reply(body=completion('{"findings": []}')))
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> FakeLLM:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                request = json.loads(self.rfile.read(length))
                fake.requests.append(request)
                if self.path != "/v1/chat/completions":
                    reply = Reply(404, {"error": "404 page not found"})
                elif request.get("model") not in fake.models:
                    message = f'model "{request.get("model")}" not found, try pulling it first'
                    reply = Reply(404, {"error": {"message": message, "type": "api_error"}})
                else:
                    reply = fake.respond(request)
                if reply.delay:
                    time.sleep(reply.delay)
                data = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                raw = data.encode("utf-8")
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
