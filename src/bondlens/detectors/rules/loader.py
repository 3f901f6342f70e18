"""Reading rule files: YAML in ``<language>/tactics`` and ``<language>/signs``, checked, macros expanded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Literal

import yaml

from bondlens.errors import BondlensError
from bondlens.model import LabelSet
from bondlens.taxonomy import SIGNS, TACTICS

ContextRequirement = Literal["none", "after_harm"]
MODIFIER_NAMES = ("negation", "quotation", "reported_speech", "question", "joke", "hedge", "conditional")
TOKEN = re.compile(r"\w+(?:'\w+)*")


class RuleFileError(BondlensError):
    """A rule file is malformed: names the file and the rule."""


@dataclass(frozen=True)
class RuleExample:
    text: str
    context: tuple[tuple[str, str], ...] = ()  # (sender "me"/"them", text) before the message


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    label_set: LabelSet
    summary: str
    triggers: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    combined: re.Pattern[str]  # all patterns as one alternation: one scan per rule instead of one per pattern
    weight: float
    source: str
    context: ContextRequirement
    modifiers: dict[str, float | bool]  # per-rule: False switches a modifier off; a number replaces its factor
    requires_conditional: bool
    positive: tuple[RuleExample, ...]
    negative: tuple[RuleExample, ...]
    file: str


@dataclass(frozen=True)
class Modifiers:
    negation_words: frozenset[str]
    negation_window: int
    joke_markers: tuple[str, ...]
    hedge_words: tuple[str, ...]
    reported_speech: re.Pattern[str]
    conditional: re.Pattern[str]
    factors: dict[str, float]


@dataclass(frozen=True)
class RuleSet:
    language: str
    rules: tuple[Rule, ...]
    modifiers: Modifiers
    source: str


def normalise_token(token: str) -> str:
    return token.lower().replace("'", "")


def _example(raw: Any, file: str, rule_id: str) -> RuleExample:
    if isinstance(raw, str):
        return RuleExample(raw)
    if isinstance(raw, dict) and isinstance(raw.get("text"), str):
        context = tuple((str(c["sender"]), str(c["text"])) for c in raw.get("context", []))
        return RuleExample(raw["text"], context)
    raise RuleFileError(f"{file}: rule {rule_id}: an example must be a string or {{text, context}}")


def _expand(pattern: str, macros: dict[str, str], file: str, rule_id: str) -> str:
    def expand(match: re.Match[str]) -> str:
        name = match[1]
        if name not in macros:
            raise RuleFileError(f"{file}: rule {rule_id}: unknown macro {{{name}}} in pattern {pattern!r}")
        return macros[name]

    return re.sub(r"\{([a-z_]+)\}", expand, pattern)


def _compile(expanded: list[str], file: str, rule_id: str) -> re.Pattern[str]:
    """Whole-word match of any of ``expanded``; a bad regex names the rule."""
    body = "|".join(f"(?:{p})" for p in expanded)
    # Text is lower-cased before matching (much faster than IGNORECASE), so patterns are too; escapes such
    # as \S or \W keep their case.
    body = re.sub(r"(?<!\\)[A-Z]", lambda m: m[0].lower(), body)
    try:
        return re.compile(r"(?<!\w)(?<!\w')(?:" + body + r")(?!\w)(?!'\w)")
    except re.error as exc:
        raise RuleFileError(f"{file}: rule {rule_id}: bad pattern in {expanded!r}: {exc}") from None


def _triggers(raw: Any, file: str, rule_id: str) -> frozenset[str]:
    """Trigger words; YAML reads `no`, `off` or `999` as booleans or numbers, so numbers are accepted as text."""
    if not isinstance(raw, list) or not raw:
        raise RuleFileError(f"{file}: rule {rule_id}: triggers must be a non-empty list of words")
    words: set[str] = set()
    for item in raw:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise RuleFileError(f"{file}: rule {rule_id}: trigger {item!r} is not a word (quote it in YAML)")
        words.add(normalise_token(str(item)))
    return frozenset(words)


def _rule(raw: dict[str, Any], label: str, label_set: LabelSet, macros: dict[str, str], file: str) -> Rule:
    rule_id = str(raw.get("id", "?"))
    for key in ("id", "summary", "triggers", "patterns", "weight", "source"):
        if key not in raw:
            raise RuleFileError(f"{file}: rule {rule_id}: missing {key!r}")
    if not rule_id.startswith(label + "."):
        raise RuleFileError(f"{file}: rule {rule_id}: ids start with the label ({label}.)")
    weight = float(raw["weight"])
    if not 0 < weight <= 1:
        raise RuleFileError(f"{file}: rule {rule_id}: weight must be in (0, 1]")
    modifiers = dict(raw.get("modifiers") or {})
    for name in modifiers:
        if name not in MODIFIER_NAMES:
            raise RuleFileError(f"{file}: rule {rule_id}: unknown modifier {name!r}")
    context = raw.get("context", "none")
    if context not in ("none", "after_harm"):
        raise RuleFileError(f"{file}: rule {rule_id}: context must be none or after_harm")
    expanded = [_expand(str(p), macros, file, rule_id) for p in raw["patterns"]]
    examples = raw.get("examples") or {}
    positive = tuple(_example(e, file, rule_id) for e in examples.get("positive", []))
    negative = tuple(_example(e, file, rule_id) for e in examples.get("negative", []))
    if not positive or not negative:
        raise RuleFileError(f"{file}: rule {rule_id}: needs positive and negative examples")
    return Rule(
        id=rule_id,
        label=label,
        label_set=label_set,
        summary=str(raw["summary"]),
        triggers=_triggers(raw["triggers"], file, rule_id),
        patterns=tuple(_compile([e], file, rule_id) for e in expanded),
        combined=_compile(expanded, file, rule_id),
        weight=weight,
        source=str(raw["source"]),
        context=context,
        modifiers=modifiers,
        requires_conditional=bool(raw.get("requires_conditional", False)),
        positive=positive,
        negative=negative,
        file=file,
    )


def _yaml(node: Traversable, file: str) -> Any:
    try:
        return yaml.safe_load(node.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{file}: not valid YAML: {exc}".replace("\n", " ")) from None


@cache
def load_rules(language: str = "en") -> RuleSet:
    """All rules of one language folder, checked; raises :class:`RuleFileError` naming the file."""
    root = resources.files("bondlens.detectors.rules").joinpath(language)
    if not root.joinpath("language.yaml").is_file():
        raise BondlensError(f"no rules for language {language!r}")
    lang = _yaml(root.joinpath("language.yaml"), f"{language}/language.yaml")
    macros = {k: str(v) for k, v in lang["macros"].items()}
    mods = lang["modifiers"]
    modifiers = Modifiers(
        negation_words=frozenset(normalise_token(w) for w in mods["negation"]["words"]),
        negation_window=int(mods["negation"]["window_tokens"]),
        joke_markers=tuple(str(m).lower() for m in mods["joke"]["markers"]),
        hedge_words=tuple(mods["hedge"]["words"]),
        reported_speech=re.compile(mods["reported_speech"]["pattern"], re.IGNORECASE),
        conditional=re.compile(mods["conditional"]["pattern"], re.IGNORECASE),
        factors={name: float(mods[name]["factor"]) for name in MODIFIER_NAMES},
    )
    rules: list[Rule] = []
    seen: set[str] = set()
    for folder, label_set, allowed in (("tactics", "tactic", TACTICS), ("signs", "sign", SIGNS)):
        directory = root.joinpath(folder)
        if not directory.is_dir():
            continue
        for node in sorted(directory.iterdir(), key=lambda n: n.name):
            if not node.name.endswith(".yaml"):
                continue
            file = f"{language}/{folder}/{node.name}"
            data = _yaml(node, file)
            label = data.get("label") if isinstance(data, dict) else None
            if label not in allowed:
                raise RuleFileError(f"{file}: label {label!r} is not a {label_set} id")
            for raw in data.get("rules", []):
                rule = _rule(raw, label, label_set, macros, file)  # type: ignore[arg-type]
                if rule.id in seen:
                    raise RuleFileError(f"{file}: duplicate rule id {rule.id}")
                seen.add(rule.id)
                rules.append(rule)
    return RuleSet(language, tuple(rules), modifiers, str(lang.get("source", "")))
