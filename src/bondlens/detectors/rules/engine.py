"""The rules detector: trigger words pick candidate rules, patterns find the words, modifiers adjust.

Speed comes from the trigger index: a message is split into words once, and only rules with one of their
trigger words in the message run their patterns.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import timedelta

from bondlens.detectors.rules.loader import TOKEN, Rule, RuleSet, load_rules, normalise_token
from bondlens.detectors.rules.modifiers import DEFAULTS, MODIFIERS, MatchSite
from bondlens.model import Adjustment, Conversation, Explanation, Finding, Message, Span
from bondlens.taxonomy import SIGNS, TACTICS

REPORT_THRESHOLD = 0.5  # findings scoring below this are not reported
HARM_WINDOW_MESSAGES = 12  # an apology within this many messages of a harm ...
HARM_WINDOW_TIME = timedelta(days=3)  # ... and this much time, is reinforcement within a cycle
CYCLE_LABEL = "reinforcement"


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


class RulesDetector:
    """Explainable rules for every tactic and sign, written as YAML data (see ``rules/<language>/``)."""

    name = "rules"
    version = "1"
    labels: tuple[str, ...] = TACTICS + SIGNS

    def __init__(self, language: str = "en", threshold: float = REPORT_THRESHOLD) -> None:
        self.language = language
        self.threshold = threshold
        self.ruleset: RuleSet = load_rules(language)
        index: dict[str, list[Rule]] = defaultdict(list)
        for rule in self.ruleset.rules:
            for trigger in rule.triggers:
                index[trigger].append(rule)
        self._index = dict(index)

    # -- one message -------------------------------------------------------------------------------
    def candidates(self, text: str, label_sets: tuple[str, ...]) -> list[Candidate]:
        """Every rule match in ``text`` (already scored and adjusted), best per rule."""
        norm = _fold(_straighten(text))
        rules: dict[str, Rule] = {}
        for token in {normalise_token(t) for t in TOKEN.findall(norm)}:
            for rule in self._index.get(token, ()):
                if rule.label_set in label_sets:
                    rules[rule.id] = rule
        found: list[Candidate] = []
        for rule in rules.values():
            best: Candidate | None = None
            for match in rule.combined.finditer(norm):
                candidate = self._score(rule, text, match.start(), match.end())
                if candidate is not None and (best is None or candidate.score > best.score):
                    best = candidate
            if best is not None:
                found.append(best)
        return found

    def _score(self, rule: Rule, text: str, start: int, end: int) -> Candidate | None:
        site = MatchSite.of(_straighten(text), start, end)
        words = self.ruleset.modifiers
        score = rule.weight
        adjustments: list[Adjustment] = []
        active = set(DEFAULTS[rule.label_set])
        for name, setting in rule.modifiers.items():
            if setting is False:
                active.discard(name)
            else:
                active.add(name)
        if rule.requires_conditional:
            active.add("conditional")
        conditional_seen = False
        for name in ("negation", "quotation", "reported_speech", "question", "joke", "hedge", "conditional"):
            if name not in active:
                continue
            setting = rule.modifiers.get(name, True)
            factor = words.factors[name] if isinstance(setting, bool) else float(setting)
            adjustment = MODIFIERS[name](site, words, factor)
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
