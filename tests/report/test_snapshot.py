"""The first page of the PDF, compared with a checked-in image (tests/report/snapshots/report_page1.png).

Pixels are compared in greyscale with a tolerance: fonts and anti-aliasing may differ slightly between
machines, a moved or missing section may not. Set BONDLENS_UPDATE_SNAPSHOTS=1 to write a new snapshot, then
look at it before committing."""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from bondlens.render import pdf_page_png
from tests.report.conftest import Made

SNAPSHOT = Path(__file__).parent / "snapshots" / "report_page1.png"
MAX_MEAN_DIFFERENCE = 2.0  # mean absolute difference per pixel, 0..255 greys (the page moved down 5 px: ~15)


def test_first_page_matches_the_snapshot(made: Made, tmp_path: Path) -> None:
    page = tmp_path / "page1.png"
    pdf_page_png(made.pdf_path, page, page=0, scale=1.0)
    if os.environ.get("BONDLENS_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_bytes(page.read_bytes())
    with Image.open(page) as actual_image, Image.open(SNAPSHOT) as expected_image:
        actual, expected = actual_image.convert("L"), expected_image.convert("L")
        assert actual.size == expected.size
        difference = ImageStat.Stat(ImageChops.difference(actual, expected)).mean[0]
    assert difference < MAX_MEAN_DIFFERENCE, f"first page differs from the snapshot by {difference:.2f} per pixel"
