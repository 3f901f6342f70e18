"""Chat-export importers. Use :func:`load_conversation`; each format lives in its own module."""

from bondlens.importers.base import ColumnMap, Importer, ImportOptions, Sample
from bondlens.importers.registry import detect_format, get_importer, importers, load_conversation

__all__ = [
    "ColumnMap",
    "ImportOptions",
    "Importer",
    "Sample",
    "detect_format",
    "get_importer",
    "importers",
    "load_conversation",
]
