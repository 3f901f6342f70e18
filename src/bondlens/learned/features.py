"""Features of the learned model: a dialogue as "Name: utterance" lines, word n-grams and per-speaker statistics.

Moved from ``bench/mentalmanip_experiments/features.py`` (the experiments keep their own copy); the numbers are
the same, so the figures measured there describe this code. Names can be anything up to 40 characters without a
colon: MentalManip writes "Person1:"/"Person2:", a chat export writes real names.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer

FloatArray = NDArray[np.float64]

TURN = re.compile(r"^\s*([^:\n]{1,40}):\s?(.*)$")
NO_SPEAKER = "?"  # speaker of text before the first "Name:" line

# Per-speaker word lists (English); each count is a small, named signal of pressure or appeasement. A listed word
# counts where it is a whole run of word characters of the lower-cased text, which is exactly what the patterns
# r"\b(you|your|...)\b" of the experiments matched, without scanning the text once per list. Apostrophe forms:
# "you're", "i'm", "we're" count through their first run; "let's" has its own pattern; every "n't" is one negation
# ("don't", "can't", "couldn't" ...).
YOU = frozenset({"you", "your", "yours", "yourself", "youre", "ya"})
I_WORDS = frozenset({"i", "me", "my", "mine", "myself", "im"})
WE = frozenset({"we", "us", "our", "ours"})
LETS = re.compile(r"\blet's\b")
NEGATION = frozenset({"no", "not", "never", "nothing", "dont"})
NOT_SUFFIX = re.compile(r"n't\b")
INSULT = frozenset(
    {
        "stupid",
        "idiot",
        "fool",
        "pathetic",
        "worthless",
        "useless",
        "dumb",
        "crazy",
        "liar",
        "loser",
        "weak",
        "ugly",
        "bitch",
        "bastard",
        "disgusting",
        "selfish",
        "ungrateful",
        "coward",
    }
)
SOFTENER = frozenset({"please", "sorry", "love", "honey", "baby", "darling", "sweetheart", "dear"})
IMPERATIVE = re.compile(
    r"^\s*(?:now\s+|just\s+|please\s+)?(listen|look|stop|get|go|come|shut|give|tell|don't|do|take|leave|"
    r"let|sit|stay|keep|think|remember|forget|trust|believe|be|make|try|wait|put|call|say|help|hold)\b"
)
WORD = re.compile(r"\w+")

STATS_PER_SPEAKER = 14
N_SPEAKER_FEATURES = 3 * STATS_PER_SPEAKER + 2  # likelier manipulator, other, difference; turns, speakers

WORD_TOKENS = r"(?u)\b\w+\b|[?!]"  # words, plus "?" and "!" as tokens of their own


def word_vectorizer() -> TfidfVectorizer:
    """TF-IDF of word 1-2-grams (lower case, sublinear tf, in at least 2 training dialogues)."""
    return TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True, token_pattern=WORD_TOKENS)


def split_turns(text: str) -> list[tuple[str, str]]:
    """(speaker, utterance) per "Name: utterance" line; a line without a name continues the previous turn."""
    turns: list[tuple[str, str]] = []
    for line in text.split("\n"):
        match = TURN.match(line)
        if match:
            turns.append((match.group(1).strip(), match.group(2)))
        elif turns:
            turns[-1] = (turns[-1][0], turns[-1][1] + " " + line)
        elif line.strip():
            turns.append((NO_SPEAKER, line))
    return turns


def canonical_speakers(text: str) -> str:
    """The dialogue with its speakers renamed Person1, Person2 ... in order of first appearance, as in the training
    data: names would otherwise be words to the model ("vicki" is one of them), so "Sam:" and "Person1:" would
    read differently. MentalManip's own dialogues come back unchanged."""
    aliases: dict[str, str] = {}
    lines = text.split("\n")
    for k, line in enumerate(lines):
        match = TURN.match(line)
        if match:
            alias = aliases.setdefault(match.group(1).strip(), f"Person{len(aliases) + 1}")
            lines[k] = alias + line[match.end(1) :]
    return "\n".join(lines)


def count_turns(text: str) -> int:
    """How many messages ("Name: utterance" turns) a dialogue holds."""
    return len(split_turns(text))


_LISTS = (YOU, I_WORDS, WE, NEGATION, INSULT, SOFTENER)
_LIST_OF = {word: k for k, words in enumerate(_LISTS) for word in words}


def _list_counts(runs: Counter[str]) -> list[int]:
    """How many runs are words of each list (YOU, I_WORDS, WE, NEGATION, INSULT, SOFTENER)."""
    counts = [0] * len(_LISTS)
    for word in runs.keys() & _LIST_OF.keys():
        counts[_LIST_OF[word]] += runs[word]
    return counts


def speaker_stats(utterances: Sequence[str], total_turns: int) -> list[float]:
    """Fourteen statistics of one speaker's utterances (rates per turn or per 10 words)."""
    joined = " ".join(utterances)
    lower = joined.lower()
    runs = Counter(WORD.findall(lower))
    # lower-casing ASCII keeps every word run as it is; other text is counted as written
    words = max(1, sum(runs.values()) if joined.isascii() else len(WORD.findall(joined)))
    turns = max(1, len(utterances))
    you, i_words, we, negation, insult, softener = _list_counts(runs)
    return [
        len(utterances) / max(1, total_turns),  # share of the turns
        math.log1p(words),
        words / turns / 20.0,  # words per turn
        joined.count("?") / turns,
        joined.count("!") / turns,
        you / words * 10,
        i_words / words * 10,
        (we + len(LETS.findall(lower))) / words * 10,
        (negation + len(NOT_SUFFIX.findall(lower))) / words * 10,
        sum(bool(IMPERATIVE.match(u.lower())) for u in utterances) / turns,  # turns opening with an imperative
        insult / turns,
        softener / turns,
        sum(map(str.isupper, joined)) / max(1, len(joined)) * 10,
        joined.count("...") / turns,
    ]


def pressure(stats: Sequence[float]) -> float:
    """Orders speakers: second person + imperatives + questions + insults (the likelier manipulator first)."""
    return stats[5] + stats[9] + stats[3] + stats[10]


def speaker_features(texts: Sequence[str]) -> FloatArray:
    """44 columns per dialogue: the stats of the likelier manipulator, of the other speaker, their difference,
    log of the number of turns and the number of speakers. Speakers beyond two are not described."""
    rows = np.zeros((len(texts), N_SPEAKER_FEATURES), dtype=np.float64)
    for i, text in enumerate(texts):
        turns = split_turns(text)
        groups: dict[str, list[str]] = {}
        for who, utterance in turns:
            groups.setdefault(who, []).append(utterance)
        stats = [speaker_stats(u, len(turns)) for u in groups.values()]
        while len(stats) < 2:
            stats.append([0.0] * STATS_PER_SPEAKER)
        stats.sort(key=lambda s: -pressure(s))
        first, second = np.array(stats[0]), np.array(stats[1])
        rows[i] = np.concatenate([first, second, first - second, [math.log1p(len(turns)), len(groups)]])
    return rows
