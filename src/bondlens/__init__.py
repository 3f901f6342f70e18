"""bondlens: see patterns of harm and reconciliation in your own chat history, on your own machine.

>>> import bondlens
>>> bondlens.__version__
'0.1.0'
"""

from bondlens.errors import BondlensError, ImportFormatError
from bondlens.importers import ImportOptions, load_conversation
from bondlens.model import Attachment, Conversation, Message, Participant, SourceFile

__version__ = "0.1.0"

__all__ = [
    "Attachment",
    "BondlensError",
    "Conversation",
    "ImportFormatError",
    "ImportOptions",
    "Message",
    "Participant",
    "SourceFile",
    "__version__",
    "load_conversation",
]
