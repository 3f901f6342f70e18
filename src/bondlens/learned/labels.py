"""MentalManip's label names (11 techniques, 5 vulnerabilities) and their map onto bondlens tactic ids.

The map follows ``shared/docs/domain.md`` ("MentalManip techniques and how they map"). MentalManip has no label
for isolation, decision control or financial abuse, so the learned model never reports those tactics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bondlens.taxonomy import TACTICS

TECHNIQUES: tuple[str, ...] = (
    "Denial",
    "Evasion",
    "Feigning Innocence",
    "Rationalization",
    "Playing Victim Role",
    "Playing Servant Role",
    "Shaming or Belittlement",
    "Intimidation",
    "Brandishing Anger",
    "Accusation",
    "Persuasion or Seduction",
)
VULNERABILITIES: tuple[str, ...] = (
    "Naivete",
    "Dependency",
    "Over-responsibility",
    "Over-intellectualization",
    "Low self-esteem",
)

# technique -> bondlens tactic ids, the first being the family a finding is labelled with
TECHNIQUE_TACTICS: dict[str, tuple[str, ...]] = {
    "Intimidation": ("intimidation", "coercion_threats"),
    "Brandishing Anger": ("intimidation",),
    "Shaming or Belittlement": ("emotional_abuse",),
    "Denial": ("blame_minimise_deny",),
    "Evasion": ("blame_minimise_deny",),
    "Feigning Innocence": ("blame_minimise_deny",),
    "Rationalization": ("blame_minimise_deny",),
    "Accusation": ("blame_minimise_deny",),
    "Playing Victim Role": ("blame_minimise_deny",),
    "Persuasion or Seduction": ("reinforcement",),
    "Playing Servant Role": ("reinforcement",),
}
# the tactic families a finding of the learned detector can carry (the first tactic of each technique)
FINDING_TACTICS: tuple[str, ...] = tuple(t for t in TACTICS if t in {v[0] for v in TECHNIQUE_TACTICS.values()})


def _key(label: str) -> str:
    return re.sub(r"[^a-z]", "", label.lower().replace("ï", "i"))


_CANONICAL = {_key(name): name for name in TECHNIQUES + VULNERABILITIES}
_CANONICAL.update({"naivety": "Naivete", "victimrole": "Playing Victim Role"})


def normalise_label(label: str) -> str | None:
    """The canonical spelling of a technique or vulnerability ("playing victim role " -> "Playing Victim Role");
    None for a name MentalManip does not use."""
    return _CANONICAL.get(_key(label))


def tactics_for(techniques: Iterable[str]) -> tuple[str, ...]:
    """The bondlens tactic ids of ``techniques``, in the order the techniques are given, each id once."""
    out: list[str] = []
    for technique in techniques:
        for tactic in TECHNIQUE_TACTICS.get(technique, ()):
            if tactic not in out:
                out.append(tactic)
    return tuple(out)
