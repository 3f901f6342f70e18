"""The evidence appendix: every message the report cites, unaltered, and a manifest that makes changes visible.

Canonical form (what the manifest's SHA-256 is computed over, so anyone can recompute it by hand): the JSON
document ``{"format": FORMAT, "source": {...}, "entries": [{...}, ...]}`` with every value a string (numbers
written in decimal, an absent value as the empty string), keys sorted, no spaces between items
(``separators=(",", ":")``), non-ASCII characters written as themselves, encoded as UTF-8. The entry fields
are :data:`ENTRY_FIELDS`; the source fields :data:`SOURCE_FIELDS`. The HTML shows each field in an element
carrying ``data-field`` (``data-source`` for the source) holding exactly that string, so
:mod:`bondlens.report.verify` can read the appendix back from the HTML and recompute the hash.

Besides the overall hash, the manifest keeps a hash of each entry and a short hash of each field, so that a
check can say which message and which field changed. It detects alteration of a copy; someone who rewrites
the manifest as well can hide a change, so keep the fingerprint (printed when the report is written)
somewhere else too. The same export and the same bondlens version give the same fingerprint again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from bondlens.analysis.model import Analysis, Evidence
from bondlens.taxonomy import labels as taxonomy_labels

FORMAT = "bondlens-evidence/1"
MANIFEST_FORMAT = "bondlens-evidence-manifest/1"
CANONICAL_DESCRIPTION = (
    'JSON {"format", "source", "entries"}; every value a string (absent = ""); keys sorted; '
    'separators "," and ":"; UTF-8, non-ASCII as is'
)
ENTRY_FIELDS: tuple[str, ...] = (
    "ref",
    "message_id",
    "timestamp",
    "sender",
    "sender_name",
    "source_line",
    "source_record",
    "cited_for",
    "text",
)
SOURCE_FIELDS: tuple[str, ...] = ("file", "member", "size", "sha256", "format")
FIELD_DIGEST_CHARS = 16  # enough to name the changed field; the entry and the whole appendix get full hashes


@dataclass(frozen=True, slots=True)
class EvidenceEntry:
    """One cited message as the appendix shows it: every value is the exact string that is hashed."""

    ref: str  # "E1", "E2" ... in time order
    message_id: str
    timestamp: str  # ISO 8601 as the export gave it (with an offset only when the export recorded one)
    sender: str  # the participant id (phone number, user id or name, as the export gives it)
    sender_name: str
    source_line: str  # 1-based line in a text export, or ""
    source_record: str  # 0-based record in a structured export, or ""
    cited_for: str  # what the report cites it for, e.g. "isolation, emotional abuse"
    text: str  # the whole message, unaltered

    def fields(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ENTRY_FIELDS}

    @property
    def anchor(self) -> str:
        return self.ref.lower()


@dataclass(frozen=True, slots=True)
class Appendix:
    source: dict[str, str]
    entries: tuple[EvidenceEntry, ...]
    refs: dict[int, str]  # message id -> "E12"

    def ref(self, message_id: int) -> str:
        """The appendix reference ("E12") of a cited message."""
        return self.refs[message_id]


def label_name(label: str) -> str:
    """A readable name for a taxonomy label or a contact signal ("leave.space")."""
    names = taxonomy_labels()
    if label in names:
        return names[label].name.lower()
    if label.startswith("leave."):
        return "words about leaving"
    if label.startswith("return."):
        return "words about coming back"
    return label.replace("_", " ")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def source_fields(analysis: Analysis) -> dict[str, str]:
    """The export the messages come from: its file name (not the folder), member, size and SHA-256."""
    info = analysis.conversation
    return {
        "file": PurePath(info.source.path).name,
        "member": _text(info.source.member),
        "size": str(info.source.size),
        "sha256": info.source.sha256,
        "format": info.format,
    }


def cited_evidence(analysis: Analysis) -> list[Evidence]:
    """Every message the report quotes: the cycles (or harm episodes), the signs, the attempts to leave."""
    cited: list[Evidence] = []
    pattern = analysis.pattern
    if pattern is not None:
        if pattern.cycles:
            for cycle in pattern.cycles:
                cited.extend(cycle.harm.evidence)
                cited.extend(cycle.reinforcement)
        else:
            for episode in pattern.episodes:
                cited.extend(episode.evidence)
    for sign in analysis.signs:
        cited.extend(sign.evidence)
    for gap in analysis.contact.gaps:
        if gap.kind == "leave_and_return":
            cited.extend(gap.leave_signals)
            cited.extend(gap.return_signals)
    return cited


def build_appendix(analysis: Analysis, extra: Iterable[Evidence] = ()) -> Appendix:
    """One entry per cited message (in time order, numbered E1, E2 ...), with everything it was cited for."""
    by_message: dict[int, list[Evidence]] = {}
    for item in [*cited_evidence(analysis), *extra]:
        by_message.setdefault(item.message_id, []).append(item)
    ordered = sorted(by_message.values(), key=lambda items: (items[0].timestamp, items[0].message_id))
    entries = []
    for number, items in enumerate(ordered, start=1):
        first = items[0]
        reasons = list(dict.fromkeys(label_name(i.label) for i in items))
        entries.append(
            EvidenceEntry(
                ref=f"E{number}",
                message_id=str(first.message_id),
                timestamp=first.timestamp.isoformat(),
                sender=_text(first.sender),
                sender_name=_text(analysis.conversation.name(first.sender) if first.sender is not None else None),
                source_line=_text(first.source_line),
                source_record=_text(first.source_record),
                cited_for=", ".join(reasons),
                text=first.text,
            )
        )
    refs = {int(e.message_id): e.ref for e in entries}
    return Appendix(source_fields(analysis), tuple(entries), refs)


# -- the manifest -------------------------------------------------------------------------------------------
def _sha256(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_bytes(source: Mapping[str, str], entries: Sequence[Mapping[str, str]]) -> bytes:
    """The canonical serialisation of the appendix (see the module docstring)."""
    document = {"format": FORMAT, "source": dict(source), "entries": [dict(e) for e in entries]}
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def appendix_sha256(source: Mapping[str, str], entries: Sequence[Mapping[str, str]]) -> str:
    return hashlib.sha256(canonical_bytes(source, entries)).hexdigest()


def field_digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:FIELD_DIGEST_CHARS]


def entry_sha256(entry: Mapping[str, str]) -> str:
    return _sha256(dict(entry))


def manifest(appendix: Appendix) -> dict[str, Any]:
    """The manifest embedded in the report: the overall SHA-256, and per entry and field, what to compare."""
    entries = [e.fields() for e in appendix.entries]
    return {
        "format": MANIFEST_FORMAT,
        "algorithm": "sha256",
        "canonical": CANONICAL_DESCRIPTION,
        "sha256": appendix_sha256(appendix.source, entries),
        "count": len(entries),
        "source": {name: field_digest(value) for name, value in appendix.source.items()},
        "entries": [
            {
                "ref": fields["ref"],
                "sha256": entry_sha256(fields),
                "fields": {name: field_digest(fields[name]) for name in ENTRY_FIELDS},
            }
            for fields in entries
        ],
    }


def manifest_json(data: Mapping[str, Any]) -> str:
    """The manifest as JSON that is safe inside an HTML element (no ``<``, ``>`` or ``&`` in it)."""
    text = json.dumps(data, ensure_ascii=True, sort_keys=True, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
