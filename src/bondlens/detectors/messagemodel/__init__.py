"""A per-message text model: a linear model over words and character n-grams, trained on bondlens's own
labelled messages (``training/messages/<language>/``), that finds what the rules' patterns do not word-match.
It says which words weighed most, so its findings are explained like the rules'."""

from bondlens.detectors.messagemodel.detector import MessageModelDetector
from bondlens.detectors.messagemodel.model import MessageModel, load_message_model

__all__ = ["MessageModel", "MessageModelDetector", "load_message_model"]
