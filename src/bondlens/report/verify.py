"""`bondlens verify`: read the evidence appendix back from a report's HTML and check it against its manifest.

Only the HTML is read (no network, nothing written). The appendix is taken from the elements that carry
``data-field`` (one entry per element with ``data-entry``) and ``data-source``; the manifest from the element
``#evidence-manifest``. A change of a single character in any quoted message, its time, its sender or its
place in the export changes the SHA-256, and the per-field hashes say which entry and which field changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from bondlens.errors import BondlensError
from bondlens.report.evidence import (
    ENTRY_FIELDS,
    MANIFEST_FORMAT,
    SOURCE_FIELDS,
    appendix_sha256,
    entry_sha256,
    field_digest,
)

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
FIELD_WORDS = {
    "ref": "reference",
    "message_id": "message number",
    "timestamp": "time",
    "sender": "sender identifier",
    "sender_name": "sender name",
    "source_line": "line in the export",
    "source_record": "record in the export",
    "cited_for": "what it is cited for",
    "text": "text",
}


@dataclass
class _Capture:
    kind: str  # "field", "source", "manifest-sha" or "manifest"
    name: str
    depth: int = 0
    parts: list[str] = field(default_factory=list)


class _AppendixParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.entries: list[dict[str, str]] = []
        self.source: dict[str, str] = {}
        self.shown_sha256: str | None = None
        self.manifest_text: str | None = None
        self.problems: list[str] = []
        self._capture: _Capture | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._capture is not None:
            if tag not in VOID:
                self._capture.depth += 1
            return
        found = dict(attrs)
        if "data-entry" in found:
            self.entries.append({})
        if "data-field" in found:
            self._capture = _Capture("field", found["data-field"] or "")
        elif "data-source" in found:
            self._capture = _Capture("source", found["data-source"] or "")
        elif found.get("data-manifest") == "sha256":
            self._capture = _Capture("manifest-sha", "sha256")
        elif tag == "script" and found.get("id") == "evidence-manifest":
            self._capture = _Capture("manifest", "manifest")
        if self._capture is not None and tag in VOID:
            self._finish()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._capture is not None:  # a self-closed element inside a field holds no text
            return
        self.handle_starttag(tag, attrs)
        if self._capture is not None:  # a field written as <span data-field="x"/>: empty
            self._finish()

    def handle_endtag(self, tag: str) -> None:
        if self._capture is None:
            return
        if self._capture.depth == 0:
            self._finish()
        else:
            self._capture.depth -= 1

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self._capture.parts.append(data)

    def _finish(self) -> None:
        capture, self._capture = self._capture, None
        assert capture is not None
        value = "".join(capture.parts)
        if capture.kind == "field":
            if not self.entries:
                self.problems.append(f"a {capture.name!r} field stands outside any evidence entry")
            elif capture.name in self.entries[-1]:
                self.problems.append(f"an evidence entry holds the field {capture.name!r} twice")
            else:
                self.entries[-1][capture.name] = value
        elif capture.kind == "source":
            self.source[capture.name] = value
        elif capture.kind == "manifest-sha":
            self.shown_sha256 = value.strip()
        else:
            self.manifest_text = value


@dataclass(frozen=True)
class Verification:
    """The outcome of a check: ``ok``, and when not, one plain line per thing that changed."""

    ok: bool
    entries: int
    sha256: str | None
    problems: tuple[str, ...]


def _entry_name(entry: dict[str, str], position: int) -> str:
    ref = entry.get("ref") or f"entry {position + 1}"
    message = entry.get("message_id")
    return f"{ref} (message {message})" if message else ref


def _read_manifest(text: str | None) -> dict[str, Any]:
    if text is None:
        raise ValueError("no evidence manifest found in this file (is it a bondlens report?)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError("the evidence manifest is damaged: it is not valid JSON") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise ValueError(f"the evidence manifest is not a {MANIFEST_FORMAT} manifest")
    items = data.get("entries")
    if not isinstance(items, list) or not isinstance(data.get("sha256"), str):
        raise ValueError("the evidence manifest is damaged: it has no entries or no SHA-256")
    return data


def _field_changes(
    found: dict[str, str], recorded: dict[str, Any], fields: tuple[str, ...]
) -> tuple[list[str], list[str]]:
    """(fields whose digest differs, fields missing in the HTML)."""
    changed = [name for name in fields if name in found and field_digest(found[name]) != recorded.get(name)]
    missing = [name for name in fields if name not in found]
    return changed, missing


def verify_html(html: str) -> Verification:
    """Check the evidence appendix in ``html`` against its manifest."""
    parser = _AppendixParser()
    parser.feed(html)
    parser.close()
    problems = list(parser.problems)
    try:
        data = _read_manifest(parser.manifest_text)
    except ValueError as exc:
        return Verification(False, len(parser.entries), None, (str(exc),))
    recorded_sha = str(data["sha256"])
    items: list[dict[str, Any]] = [i for i in data["entries"] if isinstance(i, dict)]
    entries = parser.entries

    complete = [{name: e.get(name, "") for name in ENTRY_FIELDS} for e in entries]
    source = {name: parser.source.get(name, "") for name in SOURCE_FIELDS}
    actual_sha = appendix_sha256(source, complete)

    # the source
    missing_source = [name for name in SOURCE_FIELDS if name not in parser.source]
    if missing_source:
        problems.append(f"the source details are missing from the appendix: {', '.join(missing_source)}")
    recorded_source = data.get("source") if isinstance(data.get("source"), dict) else {}
    changed, _ = _field_changes(parser.source, recorded_source or {}, SOURCE_FIELDS)
    for name in changed:
        problems.append(f"the export's {name} in the appendix differs from when the report was made")

    # the entries, matched by position
    if len(entries) != len(items):
        problems.append(
            f"the appendix holds {len(entries)} messages, the manifest {len(items)}: messages were added or removed"
        )
    for position, (entry, item) in enumerate(zip(entries, items, strict=False)):
        recorded_fields = item.get("fields") if isinstance(item.get("fields"), dict) else {}
        changed, missing = _field_changes(entry, recorded_fields or {}, ENTRY_FIELDS)
        name = _entry_name(entry, position)
        if missing:
            problems.append(f"{name}: missing from the appendix: {', '.join(missing)}")
        if changed:
            words = ", ".join(FIELD_WORDS[c] for c in changed)
            problems.append(f"{name}: {words} changed since the report was made")
        elif not missing and entry_sha256(complete[position]) != item.get("sha256"):
            problems.append(f"{name}: the manifest's hash of this entry was changed")

    if actual_sha == recorded_sha and problems and not parser.problems:
        # the appendix matches the overall hash, so what differs is the manifest's own detail
        problems = [f"the manifest was changed ({p})" for p in problems]
    if actual_sha != recorded_sha and not problems:
        problems.append("the manifest's SHA-256 was changed: it no longer matches the appendix")
    if parser.shown_sha256 is None:
        problems.append("the fingerprint shown in the appendix is missing")
    elif parser.shown_sha256 != recorded_sha:
        problems.append("the fingerprint shown in the appendix differs from the one in the manifest")
    ok = not problems and actual_sha == recorded_sha
    return Verification(ok, len(entries), actual_sha, tuple(problems))


def verify_file(path: Path) -> Verification:
    """Check the report at ``path``; a :class:`BondlensError` when it cannot be read as text."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:  # newline="": keep every character as written
            html = handle.read()
    except OSError as exc:
        raise BondlensError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise BondlensError(f"{path}: not a bondlens report (not UTF-8 text)") from None
    return verify_html(html)
