"""The rules detector: trigger words pick candidate rules, patterns find the words, modifiers adjust.

Speed comes from two word indexes: a message is split into words once, only rules with one of their trigger
words in the message are candidates, and of a candidate rule only the patterns whose required words (read off
each pattern by :func:`~bondlens.detectors.rules.loader.pattern_facts`) are in the message run. Skipping a
pattern that cannot match changes no match: the rule's combined alternation finds exactly what its other
patterns find.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, reduce
from itertools import chain, repeat
from operator import or_

from bondlens.detectors.rules.loader import (
    TOKEN,
    WHOLE_WORD_END,
    WHOLE_WORD_START,
    PatternFacts,
    Rule,
    RuleSet,
    load_rules,
    normalise_token,
    pattern_facts,
)
from bondlens.detectors.rules.modifiers import DEFAULTS, MODIFIERS, MatchSite, Modifier
from bondlens.model import Adjustment, Conversation, Explanation, Finding, Message, Span
from bondlens.taxonomy import SIGNS, TACTICS

REPORT_THRESHOLD = 0.5  # findings scoring below this are not reported
HARM_WINDOW_MESSAGES = 12  # an apology within this many messages of a harm ...
HARM_WINDOW_TIME = timedelta(days=3)  # ... and this much time, is reinforcement within a cycle
CYCLE_LABEL = "reinforcement"
MERGE_AT_MOST = 2  # a rule with more runnable patterns than this is scanned with its combined pattern


@dataclass(frozen=True)
class Candidate:
    rule: Rule
    span: Span
    evidence: str
    score: float
    adjustments: tuple[Adjustment, ...]


def _straighten(text: str) -> str:
    """Curly apostrophes to straight ones; same length, so offsets stay valid."""
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")


def _fold(text: str) -> str:
    """Lower case with the same length as ``text`` (a few characters lower-case to two), so offsets stay valid."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _tokens(norm: str) -> set[str]:
    """The message's words as the trigger index spells them. The set is built by adding the same words in the
    same order as ``{normalise_token(t) for t in TOKEN.findall(norm)}``, so it also iterates in that order (which
    decides the order of the candidate rules)."""
    found = TOKEN.findall(norm)
    if norm.isascii():  # already lower case: only the apostrophes go
        return {t.replace("'", "") for t in found} if "'" in norm else set(found)
    return {normalise_token(t) for t in found}


@dataclass(frozen=True)
class _Plan:
    """How one rule is scanned: which of its patterns a message's words allow, and how."""

    rule: Rule
    first: int  # global number of the rule's first pattern; its patterns are first, first + 1, ...
    every: int  # the bit mask of all its patterns, shifted down by ``first``
    single: bool  # the rule's patterns can be searched one by one (each is a self-contained group)
    merge: bool  # ... and none matches empty text, so several can be merged match by match
    steps: tuple[tuple[str, Modifier, float], ...]  # the modifiers that apply, in order, with their factors


@dataclass(frozen=True)
class _Index:
    """Patterns are numbered across all rules, rules by their place in the rule set; a set of patterns or of
    rules is an int with their bits set. A pattern has up to two sets of required words (see
    :func:`~bondlens.detectors.rules.loader.pattern_facts`) and runs when the message has a word of each."""

    plans: tuple[_Plan, ...]
    gates: tuple[tuple[dict[str, int], int], ...]  # per set: word -> patterns it satisfies; patterns without one


def _is_group(body: str) -> bool:
    """Whether ``body`` is one parenthesised group: its first "(" closes at its last character (escapes and
    character classes skipped), so that joined to others by "|" it stays one alternative."""
    if "(?#" in body:
        return False  # a comment may hold unbalanced parentheses: not worth following
    pieces = _REGEX_PIECE.findall(body)
    depth = 0
    for i, piece in enumerate(pieces):
        if depth == 0 and (i > 0 or piece != "("):
            return False  # text outside the group, or a second group after it
        if piece == "(":
            depth += 1
        elif piece == ")":
            depth -= 1
    return depth == 0 and len(pieces) > 0


_REGEX_PIECE = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|.", re.DOTALL)  # an escape, a class, a character


def _steps(rule: Rule, ruleset: RuleSet) -> tuple[tuple[str, Modifier, float], ...]:
    """The modifiers ``_score`` applies to the rule's matches, in order, with their factors."""
    active = set(DEFAULTS[rule.label_set])
    for name, setting in rule.modifiers.items():
        if setting is False:
            active.discard(name)
        else:
            active.add(name)
    if rule.requires_conditional:
        active.add("conditional")
    steps: list[tuple[str, Modifier, float]] = []
    for name in ("negation", "quotation", "reported_speech", "question", "joke", "hedge", "conditional"):
        if name not in active:
            continue
        setting = rule.modifiers.get(name, True)
        factor = ruleset.modifiers.factors[name] if isinstance(setting, bool) else float(setting)
        steps.append((name, MODIFIERS[name], factor))
    return tuple(steps)


@cache
def _index(language: str) -> _Index:
    """The plans of every rule of ``language`` (once per process: reading the patterns takes a moment)."""
    ruleset = load_rules(language)
    plans: list[_Plan] = []
    gates: list[tuple[dict[str, int], int]] = [(defaultdict(int), 0), (defaultdict(int), 0)]
    number = 0
    for rule in ruleset.rules:
        bodies = [p.pattern[len(WHOLE_WORD_START) : -len(WHOLE_WORD_END)] for p in rule.patterns]
        single = (
            rule.combined.pattern == WHOLE_WORD_START + "|".join(bodies) + WHOLE_WORD_END
            and all(p.flags == rule.combined.flags for p in rule.patterns)
            and all(_is_group(body) for body in bodies)
        )
        facts = [pattern_facts(p, clauses=len(gates)) if single else PatternFacts((), True) for p in rule.patterns]
        for i, fact in enumerate(facts):
            bit = 1 << (number + i)
            for k, (gate, _open) in enumerate(gates):
                if k < len(fact.required):
                    for word in fact.required[k]:
                        gate[word] |= bit
                else:
                    gates[k] = (gate, gates[k][1] | bit)
        merge = single and not any(f.may_match_empty for f in facts)
        every = (1 << len(rule.patterns)) - 1
        plans.append(_Plan(rule, number, every, single, merge, _steps(rule, ruleset)))
        number += len(rule.patterns)
    return _Index(tuple(plans), tuple((dict(gate), open_) for gate, open_ in gates))


def _merged(patterns: list[re.Pattern[str]], text: str) -> Iterator[tuple[int, int]]:
    """The matches of the alternation of ``patterns``, as its ``finditer`` gives them, from each pattern's own
    searches: the leftmost match of any, on a tie the earlier pattern's, then on from its end. Only for patterns
    that never match empty text."""
    pending = [p.search(text) for p in patterns]
    position = 0
    while True:
        best: re.Match[str] | None = None
        for k, match in enumerate(pending):
            if match is not None and match.start() < position:
                match = pending[k] = patterns[k].search(text, position)
            if match is not None and (best is None or match.start() < best.start()):
                best = match
        if best is None:
            return
        yield best.start(), best.end()
        position = best.end()


class RulesDetector:
    """Explainable rules for every tactic and sign, written as YAML data (see ``rules/<language>/``)."""

    name = "rules"
    version = "1"
    labels: tuple[str, ...] = TACTICS + SIGNS

    def __init__(self, language: str = "en", threshold: float = REPORT_THRESHOLD) -> None:
        self.language = language
        self.threshold = threshold
        self.ruleset: RuleSet = load_rules(language)
        self._plans = _index(language)
        self._triggers: dict[tuple[str, ...], tuple[dict[str, int], dict[str, tuple[int, ...]]]] = {}

    def _trigger_index(self, label_sets: tuple[str, ...]) -> tuple[dict[str, int], dict[str, tuple[int, ...]]]:
        """Trigger word -> the rules of ``label_sets`` it triggers: as a set (bits), and in rule order."""
        index = self._triggers.get(label_sets)
        if index is None:
            found: dict[str, list[int]] = defaultdict(list)
            for number, plan in enumerate(self._plans.plans):
                rule = plan.rule
                if rule.label_set in label_sets:
                    for trigger in rule.triggers:
                        found[trigger].append(number)
            index = self._triggers[label_sets] = (
                {word: sum(1 << n for n in rules) for word, rules in found.items()},
                {word: tuple(rules) for word, rules in found.items()},
            )
        return index

    # -- one message -------------------------------------------------------------------------------
    def candidates(self, text: str, label_sets: tuple[str, ...]) -> list[Candidate]:
        """Every rule match in ``text`` (already scored and adjusted), best per rule, in the order the rules' first
        trigger words come up in the message's set of words."""
        norm = _fold(_straighten(text))
        tokens = _tokens(norm)
        trigger_bits, trigger_lists = self._trigger_index(label_sets)
        triggered = reduce(or_, map(trigger_bits.get, tokens, repeat(0)), 0)
        if not triggered:
            return []
        index = self._plans
        allowed = -1
        for gate, open_ in index.gates:
            allowed &= reduce(or_, map(gate.get, tokens, repeat(0)), open_)
        found: list[tuple[int, Candidate]] = []
        straight: str | None = None
        while triggered:
            number = (triggered & -triggered).bit_length() - 1
            triggered &= triggered - 1
            plan = index.plans[number]
            runnable = (allowed >> plan.first) & plan.every
            if not runnable:
                continue  # none of its patterns can match: each lacks all words of one of its required sets
            rule = plan.rule
            matches: Iterator[tuple[int, int]]
            count = runnable.bit_count()
            if count == 1 and plan.single:
                only = rule.patterns[runnable.bit_length() - 1]
                if only.search(norm) is None:
                    continue
                matches = (m.span() for m in only.finditer(norm))
            elif count <= MERGE_AT_MOST and plan.merge:
                matches = _merged([p for i, p in enumerate(rule.patterns) if runnable >> i & 1], norm)
            else:  # each pattern scan walks the whole text: for many patterns one scan of all is cheaper
                matches = (m.span() for m in rule.combined.finditer(norm))
            best: Candidate | None = None
            for start, end in matches:
                if straight is None:
                    straight = _straighten(text)
                candidate = self._score(plan, text, straight, start, end)
                if candidate is not None and (best is None or candidate.score > best.score):
                    best = candidate
            if best is not None:
                found.append((number, best))
        if len(found) > 1:  # rule order -> the order the rules' first trigger words come up
            order = dict.fromkeys(chain.from_iterable(map(trigger_lists.get, tokens, repeat(()))))
            place = {number: i for i, number in enumerate(order)}
            found.sort(key=lambda pair: place[pair[0]])
        return [candidate for _number, candidate in found]

    def _score(self, plan: _Plan, text: str, straight: str, start: int, end: int) -> Candidate | None:
        rule = plan.rule
        site = MatchSite.of(straight, start, end)
        words = self.ruleset.modifiers
        score = rule.weight
        adjustments: list[Adjustment] = []
        conditional_seen = False
        for name, modifier, factor in plan.steps:
            adjustment = modifier(site, words, factor)
            if adjustment is None:
                continue
            if name == "conditional":
                conditional_seen = True
            adjustments.append(adjustment)
            score *= adjustment.factor
        if rule.requires_conditional and not conditional_seen:
            return None
        score = min(1.0, score)
        return Candidate(rule, Span(start, end), text[start:end], round(score, 4), tuple(adjustments))

    # -- a conversation ----------------------------------------------------------------------------
    def detect(self, conversation: Conversation, *, me: str | None = None) -> list[Finding]:
        findings: list[Finding] = []
        recent_harm: dict[str | None, deque[tuple[int, Message, Finding]]] = defaultdict(
            lambda: deque(maxlen=HARM_WINDOW_MESSAGES)
        )
        position = 0
        for message in conversation.messages:
            if message.is_system or not message.text:
                continue
            position += 1
            if me is None:
                label_sets: tuple[str, ...] = ("tactic", "sign")
            else:
                label_sets = ("sign",) if message.sender == me else ("tactic",)
            best: dict[str, Candidate] = {}
            for candidate in self.candidates(message.text, label_sets):
                label = candidate.rule.label
                if candidate.rule.context == "after_harm":
                    harm = self._harm_before(recent_harm[message.sender], position, message)
                    if harm is None:
                        continue
                    note = Adjustment(
                        "cycle_context",
                        1.0,
                        f"it follows harm by the same person in message {harm.message_id} ({harm.label})",
                    )
                    candidate = Candidate(
                        candidate.rule,
                        candidate.span,
                        candidate.evidence,
                        candidate.score,
                        (*candidate.adjustments, note),
                    )
                if candidate.score >= self.threshold and (label not in best or candidate.score > best[label].score):
                    best[label] = candidate
            for candidate in best.values():
                finding = self._finding(message, candidate)
                findings.append(finding)
                if finding.label_set == "tactic" and finding.label != CYCLE_LABEL:
                    recent_harm[message.sender].append((position, message, finding))
        return findings

    @staticmethod
    def _harm_before(history: deque[tuple[int, Message, Finding]], position: int, message: Message) -> Finding | None:
        for past_position, past, finding in reversed(history):
            if position - past_position > HARM_WINDOW_MESSAGES:
                break
            if message.timestamp - past.timestamp <= HARM_WINDOW_TIME:
                return finding
        return None

    def _finding(self, message: Message, candidate: Candidate) -> Finding:
        rule = candidate.rule
        explanation = Explanation(
            summary=f'{rule.summary}: "{candidate.evidence}"',
            rule_id=rule.id,
            matched=candidate.evidence,
            base_score=rule.weight,
            adjustments=candidate.adjustments,
            source=rule.source,
        )
        return Finding(
            detector=f"{self.name}.v{self.version}",
            label=rule.label,
            label_set=rule.label_set,
            message_id=message.id,
            sender=message.sender,
            span=candidate.span,
            evidence=candidate.evidence,
            score=candidate.score,
            explanation=explanation,
        )
