"""The plan as a document: the steps with the person's notes, and where to get help in their country."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bondlens.errors import BondlensError
from bondlens.plan.resources import CheckMethod, Country, load_resources
from bondlens.plan.steps import Step, load_steps
from bondlens.render import NEUTRAL_TITLE, render_html

TEMPLATE = "plan.html"
MAX_TITLE = 120


@dataclass(frozen=True)
class PlanStep:
    number: int  # 1-based, as shown
    step: Step
    notes: tuple[str, ...]  # the person's own words, as written


@dataclass(frozen=True)
class Plan:
    steps: tuple[PlanStep, ...]
    country: Country
    methods: tuple[CheckMethod, ...]  # how numbers were checked (the legend under the list)
    made_on: date


def build_plan(
    answers: Mapping[str, Sequence[str]] | None = None, country: str | None = None, made_on: date | None = None
) -> Plan:
    """Every step in order with the notes from ``answers`` (step id -> notes; missing steps have none), and the
    help numbers for ``country`` (a code such as 'US'; None for the default, 'EU and elsewhere')."""
    answers = answers or {}
    steps = load_steps()
    unknown = sorted(set(answers) - {s.id for s in steps})
    if unknown:
        raise BondlensError(f"not steps of the plan: {', '.join(unknown)}")
    resources = load_resources()
    return Plan(
        steps=tuple(PlanStep(n, s, tuple(answers.get(s.id, ()))) for n, s in enumerate(steps, 1)),
        country=resources.country(country),
        methods=resources.methods,
        made_on=made_on or date.today(),
    )


def check_title(title: str) -> str:
    """The document title as given, tidied; a clear error when it is empty or very long."""
    tidy = " ".join(title.split())
    if not tidy:
        raise BondlensError("--title is empty; leave it out for the neutral title")
    if len(tidy) > MAX_TITLE:
        raise BondlensError(f"--title is longer than {MAX_TITLE} characters")
    return tidy


def render_plan(plan: Plan, title: str = NEUTRAL_TITLE) -> str:
    """The plan as one self-contained HTML page (no external fonts, scripts, images or links)."""
    used = {c.checked_how.key for c in (*plan.country.emergency, *plan.country.hotlines)}
    methods = [m for m in plan.methods if m.key in used]
    return render_html(TEMPLATE, title=check_title(title), plan=plan, methods=methods)
