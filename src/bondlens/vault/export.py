"""Writing one case out of the vault as plain files (each readable by its owner only).

``conversation.jsonl`` is the `bondlens import --jsonl` format (every message, system lines marked, readable again
with `bondlens import --format jsonl`), ``findings.jsonl`` the `bondlens detect --jsonl` format, ``analysis.json``
schema v1; ``case.json`` holds the label, dates and the conversation header with the source file's SHA-256.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bondlens.serialize import finding_record
from bondlens.vault.paths import make_private_dir, write_private_file
from bondlens.vault.records import conversation_header, finding_to_record, message_record
from bondlens.vault.store import Vault, VaultError


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def export_case(vault: Vault, case_id: int, out_dir: str | Path) -> list[Path]:
    """Write the case's files into ``out_dir`` (created 0700 when missing); returns the paths written.

    Never overwrites: if any of the files is already there, nothing is written."""
    summary = vault.case(case_id)
    conversation = vault.conversation(case_id) if summary.format is not None else None
    findings = vault.findings(case_id)
    analysis = vault.analysis(case_id)
    selfchecks = vault.selfchecks(case_id)
    plans = vault.plans(case_id)

    files: dict[str, bytes] = {}
    files["case.json"] = _json(
        {
            "id": summary.id,
            "label": summary.label,
            "created": summary.created.isoformat(),
            "updated": summary.updated.isoformat(),
            "exported": datetime.now(UTC).isoformat(timespec="seconds"),
            "me": summary.me,
            "conversation": None if conversation is None else conversation_header(conversation),
            "messages": summary.messages,
            "findings": summary.findings,
        }
    )
    if conversation is not None:
        files["conversation.jsonl"] = _jsonl([message_record(conversation, m) for m in conversation.messages])
    if summary.findings is not None:
        rows = [finding_record(conversation, f) if conversation else finding_to_record(f) for f in findings]
        files["findings.jsonl"] = _jsonl(rows)
    if analysis is not None:
        files["analysis.json"] = _json(analysis)
    for number, result in enumerate(selfchecks, 1):
        files[f"selfcheck-{number}.json"] = result.to_json().encode("utf-8")
    for number, plan in enumerate(plans, 1):
        suffix = "json" if plan.media_type == "application/json" else "txt"
        files[f"plan-{number}.{suffix}"] = plan.content.encode("utf-8")

    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise VaultError(f"{folder} is not a folder")
    taken = [name for name in files if (folder / name).exists()]
    if taken:
        raise VaultError(f"{folder} already holds {', '.join(taken)}; choose an empty folder (nothing was written)")
    make_private_dir(folder)
    written = []
    for name, data in files.items():
        write_private_file(folder / name, data)
        written.append(folder / name)
    return written
