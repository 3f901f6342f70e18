"""bondlens: see patterns of harm and reconciliation in your own chat history, on your own machine.

The public API (see :mod:`bondlens.api`): :func:`load_conversation`, :func:`detect`, :func:`analyse`,
:func:`render`, :func:`classify`, and the types they take and give.

>>> import bondlens
>>> bondlens.__version__
'0.1.0'
>>> chat = bondlens.load_conversation("examples/whatsapp_cycle.txt")
>>> result = bondlens.analyse(chat, bondlens.detect(chat), me="Alex")
>>> isinstance(result, bondlens.Analysis)
True
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from bondlens.api import FORMATS, analyse, classify, detect, load_conversation, render, resolve_me
from bondlens.detectors.base import Detector
from bondlens.errors import BondlensError, ImportFormatError
from bondlens.importers import ImportOptions
from bondlens.model import (
    Adjustment,
    Attachment,
    Conversation,
    Explanation,
    Finding,
    Message,
    Participant,
    SourceFile,
    Span,
)

if TYPE_CHECKING:  # loaded on first use: they pull in scipy and scikit-learn, which most commands do not need
    from bondlens.analysis import Analysis
    from bondlens.learned.model import Prediction

__version__ = "0.1.0"


class _Package(types.ModuleType):
    """Keeps ``bondlens.render`` the function: importing the subpackage of the same name (``bondlens.render``, the
    document renderer, still importable as ``from bondlens.render import ...``) would otherwise replace it."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "render" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

_LAZY = {"Analysis": "bondlens.analysis", "Prediction": "bondlens.learned.model"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'bondlens' has no attribute {name!r}")


__all__ = [
    "FORMATS",
    "Adjustment",
    "Analysis",
    "Attachment",
    "BondlensError",
    "Conversation",
    "Detector",
    "Explanation",
    "Finding",
    "ImportFormatError",
    "ImportOptions",
    "Message",
    "Participant",
    "Prediction",
    "SourceFile",
    "Span",
    "__version__",
    "analyse",
    "classify",
    "detect",
    "load_conversation",
    "render",
    "resolve_me",
]
