"""HTML from the package's Jinja2 templates, and writing a file only the person can read."""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bondlens.errors import BondlensError

# Default document title: says nothing about the subject (someone may see the file name or the window title).
NEUTRAL_TITLE = "Notes"


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("bondlens", "render/templates"),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(template: str, **context: Any) -> str:
    """Render ``template`` (a file in ``render/templates``, which extends ``base.html``) with ``context``.
    ``title`` defaults to the neutral title."""
    context.setdefault("title", NEUTRAL_TITLE)
    return environment().get_template(template).render(**context)


def write_private(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file beside it, then a rename), readable and
    writable by the owner only. Nothing is written anywhere else; on failure no partial file is left."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise BondlensError(f"{path}: the folder {directory} does not exist")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".bondlens-", suffix=".tmp")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise BondlensError(f"{path}: cannot write ({exc.strerror or exc})") from None
