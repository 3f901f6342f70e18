"""The intent-aware prompt (tactic and sign definitions from the taxonomy), the JSON the model must answer
with, and its validation. Changing anything the model sees means raising :data:`PROMPT_VERSION`, which also
invalidates the cache."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from bondlens.detectors.llm.client import MalformedAnswer
from bondlens.taxonomy import SIGNS, TACTICS, labels

PROMPT_VERSION = "1"
LookFor = Literal["tactics", "signs", "both"]

ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["findings"],
    "additionalProperties": False,
    "properties": {
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["message", "label", "evidence", "confidence"],
                "properties": {
                    "message": {"type": "integer", "description": "the id of a message to judge"},
                    "label": {"type": "string", "enum": [*TACTICS, *SIGNS]},
                    "evidence": {"type": "string", "description": "words copied exactly from that message"},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                    "reason": {"type": "string", "description": "one short sentence on the intent"},
                },
            },
        }
    },
}


def _definitions(ids: tuple[str, ...]) -> str:
    found = labels()
    return "\n".join(f"- {i} ({found[i].name}): {found[i].definition}" for i in ids)


def system_prompt() -> str:
    return f"""You help a person read their own chat with someone, to see whether it shows the pattern of a \
trauma bond. Judge each message by its INTENT in context, not by its words alone: a quotation, a joke \
between equals, reported speech, a negation ("I would never...") or a film line is not a tactic.

TACTICS (look for these only in messages marked "look_for": "tactics" or "both"):
{_definitions(TACTICS)}

SIGNS in the person's own messages (only in messages marked "look_for": "signs" or "both"):
{_definitions(SIGNS)}

The "context" messages are earlier messages shown only so you understand the situation: never report them.
Report a label only when the message clearly shows it; most messages show none. For each finding, "evidence"
must be copied character for character from that message's "text" (the shortest part that shows it).

Answer with one JSON object and nothing else, following this JSON Schema:
{json.dumps(ANSWER_SCHEMA, ensure_ascii=False)}
If nothing is found, answer {{"findings": []}}."""


@dataclass(frozen=True, slots=True)
class Item:
    """A message as the model sees it."""

    id: int
    sender: str  # "me", "other" or a name when who is who is unknown
    text: str
    look_for: LookFor = "both"


def user_prompt(context: list[Item], targets: list[Item]) -> str:
    document = {
        "context": [{"id": m.id, "from": m.sender, "text": m.text} for m in context],
        "messages": [{"id": m.id, "from": m.sender, "look_for": m.look_for, "text": m.text} for m in targets],
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def chat_messages(context: list[Item], targets: list[Item]) -> list[dict[str, str]]:
    return [{"role": "system", "content": system_prompt()}, {"role": "user", "content": user_prompt(context, targets)}]


@dataclass(frozen=True, slots=True)
class Claim:
    """One finding as the model stated it (not yet checked against the message)."""

    message: int
    label: str
    evidence: str
    confidence: float
    reason: str


@dataclass(frozen=True)
class Answer:
    claims: tuple[Claim, ...]
    invalid: int  # items that broke the schema or named a label/message they may not


def allowed_labels(look_for: LookFor) -> tuple[str, ...]:
    return {"tactics": TACTICS, "signs": SIGNS, "both": TACTICS + SIGNS}[look_for]


def validate(data: Any, targets: list[Item]) -> Answer:
    """Check the answer's shape; drop (and count) single items that do not fit. A wrong overall shape raises
    :class:`MalformedAnswer`, which the client retries."""
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise MalformedAnswer('the answer is not an object with a "findings" list')
    allowed = {m.id: set(allowed_labels(m.look_for)) for m in targets}
    claims: list[Claim] = []
    invalid = 0
    for item in data["findings"]:
        if not isinstance(item, dict):
            invalid += 1
            continue
        message, label, evidence = item.get("message"), item.get("label"), item.get("evidence")
        confidence, reason = item.get("confidence"), item.get("reason", "")
        if isinstance(message, str) and message.strip().isdigit():
            message = int(message)
        ok = (
            isinstance(message, int)
            and not isinstance(message, bool)
            and message in allowed
            and isinstance(label, str)
            and label in allowed[message]
            and isinstance(evidence, str)
            and evidence.strip() != ""
            and isinstance(confidence, int | float)
            and not isinstance(confidence, bool)
            and 0.0 <= float(confidence) <= 1.0
            and isinstance(reason, str)
        )
        if not ok:
            invalid += 1
            continue
        assert isinstance(message, int) and isinstance(label, str) and isinstance(evidence, str)
        assert isinstance(confidence, int | float) and isinstance(reason, str)
        claims.append(Claim(message, label, evidence, float(confidence), " ".join(reason.split())))
    return Answer(tuple(claims), invalid)


def locate(text: str, quote: str) -> tuple[int, int] | None:
    """Where the model's quote is in the message: exactly, or ignoring case and surrounding quote marks.
    None when it is not there (the model made it up or rewrote it)."""
    candidates = [quote, quote.strip(), quote.strip().strip("\"'“”‘’").strip()]
    for q in candidates:
        if q and (start := text.find(q)) >= 0:
            return start, start + len(q)
    lowered = text.lower()
    if len(lowered) == len(text):  # lower() kept every offset
        for q in candidates[1:]:
            if q and (start := lowered.find(q.lower())) >= 0:
                return start, start + len(q.lower())
    return None
