"""Reading rule files: YAML in ``<language>/tactics`` and ``<language>/signs``, checked, macros expanded."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Literal, NamedTuple

import yaml

from bondlens.errors import BondlensError
from bondlens.model import LabelSet
from bondlens.taxonomy import SIGNS, TACTICS

ContextRequirement = Literal["none", "after_harm"]
MODIFIER_NAMES = ("negation", "quotation", "reported_speech", "question", "joke", "hedge", "conditional")
TOKEN = re.compile(r"\w+(?:'\w+)*")
# Every compiled pattern is whole words: the body between these two (see ``_compile``).
WHOLE_WORD_START = r"(?<!\w)(?<!\w')(?:"
WHOLE_WORD_END = r")(?!\w)(?!'\w)"


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
        return re.compile(WHOLE_WORD_START + body + WHOLE_WORD_END)
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


# libyaml's loader reads the rule files about fifteen times faster than PyYAML's own and builds the same data.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(node: Traversable, file: str) -> Any:
    try:
        return yaml.load(node.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
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


# -- what a pattern cannot match without -----------------------------------------------------------------------
# The engine skips a pattern when the message lacks every word of one of its required sets (``pattern_facts``):
# a cheap set test that spares most regex scans. The words are read off the pattern's own parse tree, and only
# where the regex syntax guarantees them as whole tokens; a construct the analysis does not follow gives no
# requirement (the pattern always runs), never a guess.

try:
    _PARSER: Any = importlib.import_module("re._parser")  # the standard library's regex parser
except ImportError:  # pragma: no cover - Python 3.11 has it
    _PARSER = None

# ASCII characters a TOKEN never contains (neither \w nor an apostrophe): a word between two of them is a token.
_BREAKS = frozenset(chr(c) for c in range(128) if not chr(c).isalnum() and chr(c) not in "_'")
_MAX_STRINGS = 64  # the most spellings an exact stretch of a pattern is expanded to
_MAX_CLASS = 16  # a character class of at most this many single characters counts as spellings
# Frequent words make weak requirements; the choice between requirements only affects speed, never results.
_VERY_COMMON = "a and do dont i im in is it me my not of on so that the this to u ur was what you your"
_COMMON = """about again all am an any anyone anything are as at babe back be because been but by can cant cos did didnt
even every feel for from get go going gonna good got had has have he her here him his how if ill its ive just know
let like lol love make more much need never no nothing now ok one only or our out really right say see she some
someone something sorry still tell than thats them then there they thing things think time too up us very way we
well were when who why will with would yeah yes"""
_VERY_COMMON_WORDS = frozenset(_VERY_COMMON.split())
_COMMON_WORDS = frozenset(_COMMON.split())


class _Unsupported(Exception):
    """A construct the analysis does not follow (the pattern is then always scanned)."""


class _Shape(NamedTuple):
    exact: frozenset[str] | None  # every string the node can match, when they are few
    first: bool  # every non-empty match starts with a break character
    last: bool  # every non-empty match ends with a break character
    empty: bool  # the node can match empty text


def _exact(strings: frozenset[str]) -> _Shape:
    filled = [s for s in strings if s]
    return _Shape(
        strings,
        all(s[0] in _BREAKS for s in filled),
        all(s[-1] in _BREAKS for s in filled),
        len(filled) < len(strings),
    )


def _rarity(words: Iterable[str]) -> float:
    """Roughly how often a message holds one of ``words`` (lower is a better filter)."""
    return sum(map(_word_rarity, words))


@cache
def _word_rarity(word: str) -> float:
    if word in _VERY_COMMON_WORDS:
        return 0.5
    if word in _COMMON_WORDS:
        return 0.15
    return 0.04 if len(word) <= 3 else 0.01


_RUN = re.compile(r"[a-z0-9_]+(?:'[a-z0-9_]+)*")  # what TOKEN finds, in the ASCII lower case of patterns


@cache
def _whole_words(text: str, left: bool, right: bool) -> tuple[str, ...]:
    """The tokens (normalised) that ``text`` holds wherever it occurs, rarest first: runs of word characters
    (joined by single apostrophes, as TOKEN joins them) between break characters, or at an edge whose neighbour
    is known to be a break character (``left``, ``right``)."""
    found: list[str] = []
    for run in _RUN.finditer(text):
        i, j = run.span()
        if (text[i - 1] in _BREAKS if i else left) and (text[j] in _BREAKS if j < len(text) else right):
            found.append(run[0].replace("'", ""))
    return tuple(sorted(dict.fromkeys(found), key=_word_rarity))


class _Analysis:
    """Shapes and required words of one parsed pattern (``re._parser`` trees: lists of ``(op, argument)``)."""

    def __init__(self) -> None:
        self._items: dict[int, tuple[Any, list[tuple[_Shape, Any]]]] = {}

    def shape(self, op: Any, av: Any) -> _Shape:
        p = _PARSER
        if op is p.LITERAL:
            return _exact(frozenset({chr(av)}))
        if op is p.IN:
            if len(av) <= _MAX_CLASS and all(o is p.LITERAL for o, _ in av):
                return _exact(frozenset(chr(a) for _, a in av))
            breaks = all(self._breaks(o, a) for o, a in av)
            return _Shape(None, breaks, breaks, False)
        if op is p.ANY or op is p.NOT_LITERAL:
            return _Shape(None, False, False, False)
        if op is p.BRANCH:
            shapes = [self.sequence_shape(alt) for alt in av[1]]
            exact = [s.exact for s in shapes]
            if all(e is not None for e in exact):
                union = frozenset().union(*(e for e in exact if e is not None))
                if len(union) <= _MAX_STRINGS:
                    return _exact(union)
            return _Shape(None, all(s.first for s in shapes), all(s.last for s in shapes), any(s.empty for s in shapes))
        if op is p.MAX_REPEAT or op is p.MIN_REPEAT or op is p.POSSESSIVE_REPEAT:
            low, high, body = av
            inner = self.sequence_shape(body)
            if inner.exact is not None and high <= 1:
                return _exact(inner.exact | ({""} if low == 0 else set()))
            # a non-empty match starts with a non-empty repetition and ends with one
            return _Shape(None, inner.first, inner.last, low == 0 or inner.empty)
        if op is p.SUBPATTERN:
            _group, add_flags, del_flags, body = av
            if add_flags or del_flags:
                raise _Unsupported("inline flags")
            return self.sequence_shape(body)
        if op is p.ATOMIC_GROUP:  # matches a part of what its contents match
            return self.sequence_shape(av)
        raise _Unsupported(str(op))

    @staticmethod
    def _breaks(op: Any, av: Any) -> bool:
        """Whether every character of one character-class item is a break character."""
        p = _PARSER
        if op is p.LITERAL:
            return chr(av) in _BREAKS
        if op is p.CATEGORY:
            return bool(av is p.CATEGORY_SPACE)  # whitespace is never \w nor an apostrophe
        if op is p.RANGE:
            low, high = av
            return high < 128 and all(chr(c) in _BREAKS for c in range(low, high + 1))
        return False

    def items(self, sequence: Any) -> list[tuple[_Shape, Any]]:
        """The consuming items of a sequence and their shapes, neighbouring exact items joined (zero-width
        assertions consume nothing, so the items on either side of one are neighbours in the text)."""
        key = id(sequence)
        if key not in self._items:
            p = _PARSER
            out: list[tuple[_Shape, Any]] = []
            run: list[str] = []  # consecutive literal characters, joined before they are shaped

            def push(shape: _Shape, node: Any) -> None:
                if shape.exact is not None and out and out[-1][0].exact is not None:
                    left = out[-1][0].exact
                    assert left is not None
                    if len(left) * len(shape.exact) <= _MAX_STRINGS:
                        out[-1] = (_exact(frozenset(a + b for a in left for b in shape.exact)), None)
                        return
                out.append((shape, node))

            for op, av in sequence:
                if op is p.LITERAL:
                    run.append(chr(av))
                    continue
                if run:
                    push(_exact(frozenset({"".join(run)})), None)
                    run = []
                if op is p.AT or op is p.ASSERT or op is p.ASSERT_NOT:
                    continue
                push(self.shape(op, av), (op, av))
            if run:
                push(_exact(frozenset({"".join(run)})), None)
            self._items[key] = (sequence, out)  # the sequence is kept so that its id stays its own
        return self._items[key][1]

    def sequence_shape(self, sequence: Any) -> _Shape:
        items = [shape for shape, _node in self.items(sequence)]
        if len(items) == 1:
            return items[0]
        first = last = True
        for shape in items:  # the first character comes from the first item that is not empty
            first = first and shape.first
            if not shape.empty:
                break
        for shape in reversed(items):
            last = last and shape.last
            if not shape.empty:
                break
        return _Shape(None, first, last, all(shape.empty for shape in items))

    def needs(self, shape: _Shape, node: Any, left: bool, right: bool) -> frozenset[str] | None:
        """Words one of which is a whole token of any text the node matches (None: no such words known);
        ``left``/``right``: the characters just before and after the node's match are break characters."""
        if shape.exact is not None:
            exact = self.exact_needs(shape.exact, left, right)
            return exact[0] if exact else None
        p = _PARSER
        op, av = node
        if op is p.BRANCH:
            found = [self.sequence_needs(alt, left, right) for alt in av[1]]
            if any(f is None for f in found):
                return None
            return frozenset().union(*(f for f in found if f is not None))
        if op is p.MAX_REPEAT or op is p.MIN_REPEAT or op is p.POSSESSIVE_REPEAT:
            low, high, body = av
            if low < 1:
                return None
            # the first repetition: after the node's left neighbour, before the next repetition or the right one
            inner = self.sequence_shape(body)
            if inner.empty:
                return None  # the first repetition may be empty, the words then come from a later one
            after = right if high == 1 else right and inner.first
            return self.sequence_needs(body, left, after)
        if op is p.SUBPATTERN:
            return self.sequence_needs(av[3], left, right)
        if op is p.ATOMIC_GROUP:
            return self.sequence_needs(av, left, right)
        return None

    @staticmethod
    def exact_needs(strings: frozenset[str], left: bool, right: bool) -> list[frozenset[str]]:
        """Sets of words that texts matching one of ``strings`` hold one of: the rarest word of each string, its
        second rarest (or again its rarest, if it has one word) and so on. Empty if a string has no whole word."""
        words = [_whole_words(text, left, right) for text in strings]
        if not all(words):
            return []
        most = max(len(w) for w in words)
        return [frozenset(w[min(k, len(w) - 1)] for w in words) for k in range(most)]

    def clauses(self, sequence: Any, left: bool, right: bool) -> list[frozenset[str]]:
        """Every item of a sequence must match, so each item's words are required: one set per item that has
        them (an exact item may give several). An item's neighbour may match empty text, and then the character
        beside the item is the one beside that neighbour."""
        items = self.items(sequence)
        if not items:
            return []
        before = [left]
        for shape, _node in items[:-1]:
            before.append(shape.last and (before[-1] or not shape.empty))
        after = [right]
        for shape, _node in reversed(items[1:]):
            after.append(shape.first and (after[-1] or not shape.empty))
        after.reverse()
        found: list[frozenset[str]] = []
        for (shape, node), b, a in zip(items, before, after, strict=True):
            if shape.exact is not None:
                found.extend(self.exact_needs(shape.exact, b, a))
                continue
            words = self.needs(shape, node, b, a)
            if words is not None:
                found.append(words)
        return found

    def sequence_needs(self, sequence: Any, left: bool, right: bool) -> frozenset[str] | None:
        return min(self.clauses(sequence, left, right), key=_rarity, default=None)


class PatternFacts(NamedTuple):
    required: tuple[frozenset[str], ...]  # each set holds a token of every text the pattern matches in
    may_match_empty: bool  # the pattern might match an empty stretch of text


def pattern_facts(pattern: re.Pattern[str], clauses: int = 2) -> PatternFacts:
    """What the analysis can tell of one compiled rule pattern. ``required``: up to ``clauses`` sets of words
    (normalised as ``TOKEN``'s tokens are), each with a word among the tokens of any text in which the pattern
    finds a match; none when no such words are known. The whole-word guards around every pattern
    (``WHOLE_WORD_START`` and ``WHOLE_WORD_END``) make the edges of a match token boundaries."""
    unknown = PatternFacts((), True)
    source = pattern.pattern
    if _PARSER is None or pattern.flags != re.UNICODE:
        return unknown
    if not (source.startswith(WHOLE_WORD_START) and source.endswith(WHOLE_WORD_END)):
        return unknown
    try:
        parsed = _PARSER.parse(source)
        if parsed.state.flags != re.UNICODE:
            return unknown
        low, _high = parsed.getwidth()
        found = sorted(set(_Analysis().clauses(parsed.data, True, True)), key=lambda c: (_rarity(c), sorted(c)))
        return PatternFacts(tuple(found[:clauses]), low == 0)
    except (_Unsupported, RecursionError):
        return unknown
