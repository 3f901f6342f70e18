"""PDF from our own HTML with WeasyPrint, and PNG images of PDF pages with pypdfium2 (for previews and tests).

The HTML is self-contained; WeasyPrint gets a URL fetcher that refuses every URL, so a document can never make
the renderer open a file or a network connection it was not given."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from bondlens.errors import BondlensError
from bondlens.render.page import write_private


def _refuse(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise BondlensError(f"the document tried to load {url!r}; bondlens documents load nothing from outside")


def html_to_pdf(html: str, path: Path) -> None:
    """Write ``html`` as a PDF to ``path`` (owner-only, atomic)."""
    import weasyprint  # heavy: loaded only when a PDF is asked for

    document = weasyprint.HTML(string=html, url_fetcher=_refuse, base_url=None)
    write_private(Path(path), document.write_pdf())


def pdf_page_png(pdf: Path, png: Path, page: int = 0, scale: float = 1.0) -> None:
    """Render one page of ``pdf`` (0-based) to ``png``."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(pdf))
    except pypdfium2.PdfiumError as exc:
        raise BondlensError(f"{pdf}: not a readable PDF ({exc})") from None
    try:
        if not 0 <= page < len(document):
            raise BondlensError(f"{pdf}: has no page {page + 1}")
        image = document[page].render(scale=scale).to_pil()
        image.save(png, format="PNG")
    finally:
        document.close()
