"""The importers bondlens knows, by name, and choosing one for a file."""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

from bondlens.errors import UnknownFormatError, UnrecognisedFormatError
from bondlens.importers.base import Importer, ImportOptions, check_file, read_sample
from bondlens.model import Conversation

# module:attribute of every built-in importer, in the order `bondlens formats` lists them
BUILTIN_IMPORTERS: tuple[str, ...] = (
    "bondlens.importers.whatsapp:IMPORTER",
    "bondlens.importers.telegram:IMPORTER",
    "bondlens.importers.signal:IMPORTER",
    "bondlens.importers.messenger:FACEBOOK_IMPORTER",
    "bondlens.importers.messenger:INSTAGRAM_IMPORTER",
    "bondlens.importers.discord:IMPORTER",
    "bondlens.importers.sms_xml:IMPORTER",
    "bondlens.importers.imessage:IMPORTER",
    "bondlens.importers.tabular:CSV_IMPORTER",
    "bondlens.importers.tabular:JSONL_IMPORTER",
    "bondlens.importers.transcript:IMPORTER",
)


@cache
def importers() -> dict[str, Importer]:
    found: dict[str, Importer] = {}
    for ref in BUILTIN_IMPORTERS:
        module_name, attr = ref.split(":")
        importer: Importer = getattr(importlib.import_module(module_name), attr)
        found[importer.name] = importer
    return found


def get_importer(name: str) -> Importer:
    try:
        return importers()[name]
    except KeyError:
        known = ", ".join(importers())
        raise UnknownFormatError(f"unknown format {name!r}; known formats: auto, {known}") from None


def detect_format(path: Path) -> Importer:
    """The importer most sure it can read ``path``; a clear error when none is."""
    sample = read_sample(path)
    best: tuple[float, Importer] | None = None
    for importer in importers().values():
        score = importer.sniff(sample)
        if score > 0 and (best is None or score > best[0]):
            best = (score, importer)
    if best is None:
        what = "a binary file" if sample.text is None and not sample.is_zip else "a file"
        raise UnrecognisedFormatError(
            path,
            f"{what} bondlens does not recognise as a chat export; "
            "run `bondlens formats` to see what it reads, or name the format with --format",
        )
    return best[1]


def load_conversation(path: str | Path, format: str = "auto", options: ImportOptions | None = None) -> Conversation:
    """Read one chat export into a :class:`Conversation`.

    ``format`` is an importer name or "auto" (sniff the content). Raises a :class:`~bondlens.errors.BondlensError`
    subclass, with a one-line message naming the file, for anything that is not a readable export.
    """
    options = options or ImportOptions()
    path = Path(path)
    check_file(path, options.max_bytes)
    importer = detect_format(path) if format == "auto" else get_importer(format)
    return importer.read(path, options)
