"""The fast detection path finds exactly what the plain one does.

Each shortcut of the rules engine and the message model is checked against the plain computation it stands in
for (written out here as it was before the shortcut), on the rule files' own examples, the evaluation messages,
the sample chats, variants of them (capitals, curly apostrophes, quotes, non-ASCII letters ...) and generated
text.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bondlens.detectors.messagemodel import MessageModelDetector
from bondlens.detectors.messagemodel import detector as model_detector
from bondlens.detectors.messagemodel.text import normalise, sentence_spans
from bondlens.detectors.rules import RulesDetector, engine, load_rules
from bondlens.detectors.rules.engine import Candidate, _fold, _is_group, _merged, _straighten
from bondlens.detectors.rules.loader import (
    _SAFE_LOADER,
    TOKEN,
    WHOLE_WORD_END,
    WHOLE_WORD_START,
    Rule,
    normalise_token,
    pattern_facts,
)
from bondlens.detectors.rules.modifiers import DEFAULTS, MODIFIERS, MatchSite, joke
from bondlens.importers import load_conversation
from bondlens.importers.base import ConversationBuilder
from bondlens.model import Adjustment, Conversation, Span
from tests.conftest import EXAMPLES

ROOT = Path(__file__).resolve().parents[2]
RULES = RulesDetector()
RULESET = load_rules("en")
MODEL = MessageModelDetector()


def _texts() -> list[str]:
    texts: list[str] = []
    for rule in RULESET.rules:
        for example in (*rule.positive, *rule.negative):
            texts.extend(said for _who, said in example.context)
            texts.append(example.text)
    for path in sorted((ROOT / "tests" / "data" / "rules_eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                texts.extend(c["text"] for c in item.get("context", []))
                texts.append(item["text"])
    for name in ("whatsapp_cycle.txt", "telegram_result.json", "signal_chat.md"):
        texts.extend(m.text for m in load_conversation(EXAMPLES / name).messages if m.text)
    rng = random.Random(4)
    variants: list[str] = []
    for text in texts:
        kind = rng.randrange(8)
        if kind == 0:
            variants.append(text.upper())
        elif kind == 1:
            variants.append(text.replace("'", "\u2019"))
        elif kind == 2:
            variants.append(f'he said "{text}" lol')
        elif kind == 3:
            variants.append("İstanbul ẞ ΑΣ.Β " + text.title())
        elif kind == 4:
            variants.append(text.replace(" ", "  ").replace(".", "...\n").replace("o", "ooo"))
        elif kind == 5:
            variants.append(text.replace(" ", "'", 1).replace(" ", "`", 1) + " ''x'' _ 😂")
    return texts + variants


TEXTS = _texts()
NORMS = [_fold(_straighten(text)) for text in TEXTS]  # as the rules engine reads them


# -- the rules engine --------------------------------------------------------------------------------------------
TRIGGERS: dict[str, list[Rule]] = defaultdict(list)
for _rule in RULESET.rules:
    for _trigger in _rule.triggers:
        TRIGGERS[_trigger].append(_rule)


def plain_candidates(text: str, label_sets: tuple[str, ...]) -> list[Candidate]:
    """RulesDetector.candidates as it was: every triggered rule scans its combined pattern."""
    norm = _fold(_straighten(text))
    rules: dict[str, Rule] = {}
    for token in {normalise_token(t) for t in TOKEN.findall(norm)}:
        for rule in TRIGGERS.get(token, ()):
            if rule.label_set in label_sets:
                rules[rule.id] = rule
    found = []
    for rule in rules.values():
        best = None
        for match in rule.combined.finditer(norm):
            candidate = plain_score(rule, text, match.start(), match.end())
            if candidate is not None and (best is None or candidate.score > best.score):
                best = candidate
        if best is not None:
            found.append(best)
    return found


def plain_score(rule: Rule, text: str, start: int, end: int) -> Candidate | None:
    site = MatchSite.of(_straighten(text), start, end)
    words = RULESET.modifiers
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
    return Candidate(rule, Span(start, end), text[start:end], round(min(1.0, score), 4), tuple(adjustments))


@pytest.mark.parametrize("label_sets", [("tactic",), ("sign",), ("tactic", "sign")])
def test_candidates_are_the_plain_ones(label_sets: tuple[str, ...]) -> None:
    for text in TEXTS:
        assert RULES.candidates(text, label_sets) == plain_candidates(text, label_sets), text


def test_a_pattern_never_matches_without_its_required_words() -> None:
    tokens = [{normalise_token(t) for t in TOKEN.findall(norm)} for norm in NORMS]
    checked = 0
    for rule in RULESET.rules:
        facts = [pattern_facts(p) for p in rule.patterns]
        for text, norm, words_of_text in zip(TEXTS, NORMS, tokens, strict=True):
            if rule.combined.search(norm) is None:
                continue
            for pattern, fact in zip(rule.patterns, facts, strict=True):
                if pattern.search(norm) is not None:
                    checked += 1
                    assert all(not words.isdisjoint(words_of_text) for words in fact.required), (rule.id, text)
    assert checked > 1000


def test_most_patterns_have_required_words() -> None:
    facts = [pattern_facts(p) for rule in RULESET.rules for p in rule.patterns]
    assert sum(bool(f.required) for f in facts) > 0.9 * len(facts)


@pytest.mark.parametrize(
    ("pattern", "required"),
    [
        (r"you (?:made|make) me", [{"made", "make"}, {"me"}]),
        (r"i'?m (?:so |sooo+ )?sorry", [{"sorry"}, {"im"}]),  # "i'm" is the token "im"; "sooo+" is skipped over
        (r"cancel\w* (?:it|that)", [{"it", "that"}]),  # "cancel" may go on: not a whole word
        (r"(?:\w+ ){0,2}idiot", [{"idiot"}]),
        (r"stupid\W+cow", []),  # \W may be an apostrophe, which joins words: "stupidcow" is one token
        (r"(?:you )?idiot|moron", [{"idiot", "moron"}, {"idiot", "moron", "you"}]),
        (r"(?i:idiot)", []),  # inline flags: not followed
        (r"x?", []),
    ],
)
def test_required_words_of_small_patterns(pattern: str, required: list[set[str]]) -> None:
    compiled = re.compile(WHOLE_WORD_START + f"(?:{pattern})" + WHOLE_WORD_END)
    assert [set(words) for words in pattern_facts(compiled).required] == required


@pytest.mark.parametrize(
    ("body", "group"),
    [
        ("(?:a)", True),
        ("(?:a(b)c)", True),
        ("(?:[)]x)", True),
        (r"(?:\))", True),
        ("(?:[]()])", True),
        ("(?:a)|(?:b)", False),
        ("(?:a))(?:(?:b)", False),
        ("(?:a)b", False),
        ("a", False),
        ("(?:a(?#)b)", False),
    ],
)
def test_is_group(body: str, group: bool) -> None:
    assert _is_group(body) is group


def test_merged_searches_are_the_alternations_matches() -> None:
    rng = random.Random(5)
    for rule in RULESET.rules:
        if len(rule.patterns) < 2:
            continue
        matching = [norm for norm in NORMS if rule.combined.search(norm)][:8]
        for norm in matching:
            chosen = sorted(rng.sample(range(len(rule.patterns)), min(3, len(rule.patterns))))
            patterns = [rule.patterns[i] for i in chosen]
            bodies = [p.pattern[len(WHOLE_WORD_START) : -len(WHOLE_WORD_END)] for p in patterns]
            alternation = re.compile(WHOLE_WORD_START + "|".join(bodies) + WHOLE_WORD_END)
            assert list(_merged(patterns, norm)) == [m.span() for m in alternation.finditer(norm)], (rule.id, norm)


def test_rules_detect_on_a_long_conversation_is_the_plain_one(monkeypatch: pytest.MonkeyPatch) -> None:
    conversation = _conversation(TEXTS[:4000])
    fast = RULES.detect(conversation, me="me")
    monkeypatch.setattr(RULES, "candidates", plain_candidates)
    assert fast == RULES.detect(conversation, me="me")


def test_the_c_yaml_loader_reads_the_rule_files_as_pyyaml_does() -> None:
    root = ROOT / "src" / "bondlens" / "detectors" / "rules" / "en"
    for path in sorted(root.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=_SAFE_LOADER) == yaml.safe_load(text), path


def plain_joke(site: MatchSite, factor: float) -> Adjustment | None:
    words = RULESET.modifiers
    lowered = site.text.lower()
    tokens = set(TOKEN.findall(lowered))
    laughing = any(t.startswith("haha") or t.startswith("lol") for t in tokens)
    for marker in words.joke_markers:
        if marker.replace(" ", "").isalnum():
            hit = marker in tokens if " " not in marker else f" {marker} " in f" {lowered} "
            hit = hit or (marker in ("haha", "lol") and laughing)
        else:
            hit = marker in lowered
        if hit:
            return Adjustment("joke", factor, f"a joke or banter marker ('{marker}') in the message")
    return None


def test_joke_is_the_plain_one() -> None:
    extra = ["just kidding you idiot", "lolol you idiot", "hahahaha", "xd", "j/k", ":p", "jokingly", "LOL ok"]
    for text in TEXTS[:3000] + extra:
        site = MatchSite.of(text, 0, len(text))
        assert joke(site, RULESET.modifiers, 0.3) == plain_joke(site, 0.3), text


# -- the message model -------------------------------------------------------------------------------------------
_APOSTROPHES = str.maketrans({"\u2019": "", "\u2018": "", "\u02bc": "", "'": "", "`": ""})


def plain_normalise(text: str) -> str:
    return re.sub(r"(\w)\1{2,}", r"\1\1", text.lower().translate(_APOSTROPHES))


def plain_sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for match in re.finditer(r"[^.!?\n;]+[.!?;]*", text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start and any(c.isalnum() for c in text[start:end]):
            spans.append((start, end))
    if not spans:
        stripped = text.strip()
        offset = text.find(stripped) if stripped else 0
        spans.append((offset, offset + len(stripped)))
    return spans


TRICKY = st.text(alphabet=st.sampled_from(list("aAoO1_ \t\n.!?;,'`\u2019\u2018\u02bc\u00a0\u2028İΣςẞé\u0301😂")))


@settings(max_examples=2000, deadline=None)
@given(TRICKY)
def test_text_helpers_are_the_plain_ones(text: str) -> None:
    assert normalise(text) == plain_normalise(text)
    assert sentence_spans(text) == plain_sentence_spans(text)
    assert model_detector._readable(text) == (len(model_detector.WORD.findall(text)) >= model_detector.MIN_WORDS)


def test_text_helpers_on_the_texts() -> None:
    for text in TEXTS:
        assert normalise(text) == plain_normalise(text)
        assert sentence_spans(text) == plain_sentence_spans(text)
        assert model_detector._readable(text) == (len(model_detector.WORD.findall(text)) >= model_detector.MIN_WORDS)


def _same_matrix(a: Any, b: Any) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype
    for part in ("data", "indices", "indptr"):
        x, y = getattr(a, part), getattr(b, part)
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), part


def test_features_are_the_vectorisers() -> None:
    features = MODEL._features
    assert features.usable
    readable = [t for t in TEXTS if model_detector._readable(t)]
    for first in range(0, len(readable), 2048):
        texts = readable[first : first + 2048]
        units = [model_detector._units(t) for t in texts]
        flat = [t[s:e] for t, spans in zip(texts, units, strict=True) for s, e in spans]
        expected = MODEL.model.features(flat)
        _same_matrix(features(flat), expected)
        _same_matrix(features.of_units(texts, units), expected)
        rows = range(0, len(flat), 7)
        for k in rows:
            row = model_detector._row(expected, k)
            assert row.indices.tobytes() == expected[k].indices.tobytes()
            assert row.data.tobytes() == expected[k].data.tobytes()


def test_model_detect_is_the_plain_one(monkeypatch: pytest.MonkeyPatch) -> None:
    conversation = _conversation(TEXTS[:6000])
    fast = [MODEL.detect(conversation, me=me) for me in ("me", None)]
    monkeypatch.setattr(MODEL._features, "usable", False)  # every matrix from the vectoriser itself
    monkeypatch.setattr(model_detector, "_row", lambda features, index: features[index])
    assert fast == [MODEL.detect(conversation, me=me) for me in ("me", None)]


def test_message_scores_are_the_plain_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = MODEL.message_scores(TEXTS[:3000])
    monkeypatch.setattr(MODEL._features, "usable", False)
    assert np.array_equal(fast, MODEL.message_scores(TEXTS[:3000]))


def _conversation(texts: list[str]) -> Conversation:
    sample = load_conversation(EXAMPLES / "whatsapp_cycle.txt")
    builder = ConversationBuilder("equivalence", sample.source, naive_timestamps=True)
    start = sample.messages[0].timestamp.replace(tzinfo=None)
    rng = random.Random(6)
    gaps = [timedelta(minutes=1), timedelta(minutes=20), timedelta(hours=20), timedelta(days=4)]
    at = start
    for i, text in enumerate(texts):
        at += rng.choices(gaps, weights=[50, 30, 15, 5])[0]  # sometimes past the three days of a cycle
        builder.add(at, "them" if i % 3 else "me", text)
    return builder.build()


def test_engine_plans_cover_every_pattern() -> None:
    index = engine._index("en")
    assert sum(len(p.rule.patterns) for p in index.plans) == sum(len(r.patterns) for r in RULESET.rules)
    assert all(p.single for p in index.plans)
