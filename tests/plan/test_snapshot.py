"""The first page of the plan PDF, compared with a checked-in picture of it.

The page is rendered from tests/plan/data/answers.yaml for the UK, dated 2026-12-05, and compared pixel by pixel
(Pillow ImageChops) with tests/plan/snapshots/plan_page1.png. The test fails when the mean absolute difference
over all pixels and channels reaches MAX_MEAN_DIFFERENCE = 1.0 (on the 0-255 scale). Measured when it was set: a
changed letter in the title moves it by 0.02, so small font-rendering differences between machines pass; the
page without its emergency box differs by 2.0, and another country's numbers (the page shifts) by about 10.
After an intended change, regenerate the picture (and docs/plan.png, the README's screenshot) with
BONDLENS_UPDATE_SNAPSHOTS=1 and look at it before committing."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from bondlens.plan import build_plan, load_answers, render_plan
from bondlens.render import html_to_pdf, pdf_page_png
from tests.plan.helpers import ANSWERS, SNAPSHOTS

MAX_MEAN_DIFFERENCE = 1.0
SNAPSHOT = SNAPSHOTS / "plan_page1.png"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "plan.png"


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    return sum(ImageStat.Stat(diff).mean) / 3


def test_first_page_matches_the_snapshot(tmp_path: Path) -> None:
    plan = build_plan(load_answers(ANSWERS), "UK", date(2026, 12, 5))
    pdf = tmp_path / "plan.pdf"
    html_to_pdf(render_plan(plan), pdf)
    page = tmp_path / "page1.png"
    pdf_page_png(pdf, page, page=0, scale=1.0)
    if os.environ.get("BONDLENS_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_bytes(page.read_bytes())
        pdf_page_png(pdf, SCREENSHOT, page=0, scale=1.5)
    assert SNAPSHOT.exists(), f"no snapshot {SNAPSHOT}; run with BONDLENS_UPDATE_SNAPSHOTS=1 and look at it"
    with Image.open(page) as actual, Image.open(SNAPSHOT) as expected:
        assert actual.size == expected.size
        difference = mean_difference(actual, expected)
    assert difference < MAX_MEAN_DIFFERENCE, f"page 1 differs from {SNAPSHOT.name} by {difference:.2f} on average"


def test_the_comparison_notices_a_real_change(tmp_path: Path) -> None:
    """The bound is meaningful: the page without its emergency box differs by more than the bound."""
    with Image.open(SNAPSHOT) as expected:
        changed = expected.convert("RGB")
        width, height = changed.size
        changed.paste((255, 255, 255), (0, int(height * 0.34), width, int(height * 0.52)))
        assert mean_difference(changed, expected) >= MAX_MEAN_DIFFERENCE
