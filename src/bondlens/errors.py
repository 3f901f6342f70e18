"""One exception hierarchy. Every error a user can cause is a :class:`BondlensError` with a one-line message."""

from __future__ import annotations

from pathlib import Path


class BondlensError(Exception):
    """Base of every error bondlens raises on purpose. ``str(error)`` is a complete one-line message."""


class ImportFormatError(BondlensError):
    """A file could not be read as a chat export. Names the file and, where there is one, the line."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {reason}")


class UnrecognisedFormatError(ImportFormatError):
    """No importer recognised the file (or the named format does not fit it)."""


class AmbiguousDateError(ImportFormatError):
    """Every date in the file fits both day-first and month-first; the user must say which."""


class FileTooLargeError(ImportFormatError):
    """The file is larger than the configured limit."""


class UnknownFormatError(BondlensError):
    """A format name that bondlens does not know was asked for."""
