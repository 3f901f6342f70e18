"""The error that stops a Dask run at a bad line.

In a module of its own because it derives from :class:`bondlens.learned.batch.ClassifyInputError`, and importing
``bondlens.learned`` loads scikit-learn, which the driver of a run otherwise never needs: this module is imported
only when a run does stop at a bad line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bondlens.learned.batch import ClassifyInputError

if TYPE_CHECKING:
    from bondlens.scale.run import BadLine


class BadLineError(ClassifyInputError):
    """A bad line stopped a Dask run (no ``--skip-bad``). Names the file, line and partition."""

    def __init__(self, path: Path, bad: BadLine) -> None:
        super().__init__(path, bad.reason, bad.line)
        self.partition = bad.partition
        self.args = (bad.describe(path),)  # "FILE:LINE (partition N): reason", as a skipped line is listed
