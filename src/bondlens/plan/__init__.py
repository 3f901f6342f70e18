"""The safety and exit plan (`bondlens plan`): steps from ``data/steps.yaml``, the person's own notes, and where
to get help by country from ``data/resources.yaml`` (each number with its source and the date it was checked)."""

from bondlens.plan.answers import Answers, load_answers, parse_answers
from bondlens.plan.document import Plan, PlanStep, build_plan, check_title, render_plan
from bondlens.plan.resources import CheckMethod, Contact, Country, Resources, load_resources
from bondlens.plan.steps import Step, load_steps

__all__ = [
    "Answers",
    "CheckMethod",
    "Contact",
    "Country",
    "Plan",
    "PlanStep",
    "Resources",
    "Step",
    "build_plan",
    "check_title",
    "load_answers",
    "load_resources",
    "load_steps",
    "parse_answers",
    "render_plan",
]
