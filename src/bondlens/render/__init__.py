"""Documents a person takes away (report, plan): HTML from Jinja2 templates, PDF from that HTML (WeasyPrint),
PNG previews of pages (pypdfium2). Everything is self-contained and offline: no external fonts, scripts,
images or URLs, and the PDF renderer is not allowed to fetch anything."""

from bondlens.render.page import NEUTRAL_TITLE, render_html, write_private
from bondlens.render.pdf import html_to_pdf, pdf_page_png

__all__ = ["NEUTRAL_TITLE", "html_to_pdf", "pdf_page_png", "render_html", "write_private"]
