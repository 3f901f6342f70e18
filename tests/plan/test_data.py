"""The plan's data files: every step and every number has what a reader relies on, and the documents built from
them put emergency numbers first and say that numbers change."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import pytest
import yaml

import bondlens
from bondlens.errors import BondlensError
from bondlens.plan import build_plan, load_resources, load_steps, render_plan
from bondlens.plan.resources import parse_resources
from bondlens.plan.steps import data_text, parse_steps

COUNTRIES = ["US", "UK", "CA", "AU", "IE", "NZ", "EU"]
HELPLINES = Path(bondlens.__file__).parent / "analysis" / "data" / "helplines.yaml"


def test_the_steps_follow_the_domain_notes_in_order() -> None:
    steps = load_steps()
    assert [s.id for s in steps] == [
        "support",
        "safe_place",
        "documents_money",
        "contact",
        "timing",
        "professional",
        "self_care",
    ]
    for step in steps:
        assert step.title and step.why and step.prompts and step.checklist and step.sources
        assert any("domain.md" in source for source in step.sources), step.id
    by_id = {s.id: s for s in steps}
    assert "most dangerous time" in by_id["timing"].why
    assert "do not announce" in by_id["timing"].why
    documents = " ".join(by_id["documents_money"].checklist)
    for thing in ("ID", "Bank cards", "Medication", "Children's documents", "Copies"):
        assert thing in documents
    assert any("Block" in item for item in by_id["contact"].checklist)
    therapies = " ".join(by_id["professional"].info)
    for therapy in (
        "cognitive behavioural therapy",
        "trauma-focused therapy",
        "narrative exposure therapy",
        "brief eclectic psychotherapy",
        "prolonged exposure",
        "EMDR",
    ):
        assert therapy in therapies


def test_every_number_has_a_source_and_a_check_date() -> None:
    resources = load_resources()
    assert [c.code for c in resources.countries] == COUNTRIES
    assert resources.default == "EU"
    for country in resources.countries:
        assert country.emergency and country.hotlines
        for contact in (*country.emergency, *country.hotlines):
            assert contact.source.startswith("https://"), contact.name
            assert date(2026, 1, 1) <= contact.checked_on <= date.today(), contact.name
            assert contact.checked_how.key in {"safety_rules", "library", "known"}
    methods = {m.key: m.text for m in resources.methods}
    assert all("re-checked" not in text for text in methods.values())  # said once, in the document's legend


def test_the_numbers_in_the_safety_rules_are_there_unchanged() -> None:
    resources = load_resources()
    contacts = {c.code: {x.contact for x in (*c.emergency, *c.hotlines)} for c in resources.countries}
    assert "911" in contacts["US"] and "911" in contacts["CA"]
    assert "999" in contacts["UK"] and "112" in contacts["EU"] and "000" in contacts["AU"]
    assert "1-800-799-7233, or text START to 88788" in contacts["US"]
    assert "0808 2000 247" in contacts["UK"]
    assert "1800 737 732" in contacts["AU"]
    # the analysis summary lists some of the same helplines: the two files must agree on the numbers
    shared = yaml.safe_load(HELPLINES.read_text(encoding="utf-8"))
    everything = " ".join(" ".join(sorted(c)) for c in contacts.values())
    for line in shared["hotlines"]:
        number = line["contact"].split(" (")[0].split(",")[0]
        assert number in everything, line["name"]


@pytest.mark.parametrize("code", COUNTRIES)
def test_emergency_numbers_come_before_the_hotlines_and_numbers_change_is_said(code: str) -> None:
    page = render_plan(build_plan({}, code, date(2026, 12, 5)))
    country = load_resources().country(code)
    first_hotline = page.index(html.escape(country.hotlines[0].contact))
    for contact in country.emergency:
        assert page.index(html.escape(contact.contact)) < first_hotline, contact.contact
    help_section = " ".join(page[page.index('id="help"') :].split())
    last_emergency = max(help_section.index(html.escape(c.contact)) for c in country.emergency)
    assert last_emergency < help_section.index(html.escape(country.hotlines[0].contact))
    assert help_section.index("Numbers change.") < help_section.index('id="help-emergency"')
    assert "Check a number where you live" in help_section
    assert "not re-checked online" in help_section
    assert "checked 2026-12-05" in help_section


def test_country_codes_are_read_kindly() -> None:
    resources = load_resources()
    assert resources.country("gb").code == "UK"
    assert resources.country(" nz ").code == "NZ"
    assert resources.country(None).code == "EU"
    with pytest.raises(BondlensError, match=r"known countries: US \(United States\), UK"):
        resources.country("FR")


def test_broken_data_is_refused_with_the_place() -> None:
    steps = yaml.safe_load(data_text("steps.yaml"))
    del steps["steps"][2]["why"]
    with pytest.raises(BondlensError, match="step 'documents_money': 'why' must be non-empty text"):
        parse_steps(yaml.safe_dump(steps))
    resources = yaml.safe_load(data_text("resources.yaml"))
    resources["countries"][0]["hotlines"][0]["checked_on"] = "last week"
    with pytest.raises(BondlensError, match=r"US hotlines 1 \(National Domestic Violence Hotline\): 'checked_on'"):
        parse_resources(yaml.safe_dump(resources))
    resources = yaml.safe_load(data_text("resources.yaml"))
    resources["countries"][1]["emergency"] = []
    with pytest.raises(BondlensError, match="UK: 'emergency' must be a non-empty list"):
        parse_resources(yaml.safe_dump(resources))
