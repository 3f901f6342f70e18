"""Shared pieces of the vault tests: a cheap key derivation, synthetic conversations, scanning the files."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bondlens.model import Attachment, Conversation, Message, Participant, SourceFile
from bondlens.selfcheck.model import SelfCheckAnswer, SelfCheckResult, SignScore
from bondlens.vault import KdfParams, Vault
from bondlens.vault.paths import side_files

# The cheapest scrypt bondlens accepts (16 MiB): the vault header records it, so the tests stay fast while the
# real default (2^17) is tested where it matters (init, and the KDF timing test).
FAST_KDF = KdfParams(n=2**14)
PASSPHRASE = "correct horse battery"

WORDS = [
    "i",
    "you",
    "we",
    "love",
    "sorry",
    "never",
    "again",
    "why",
    "home",
    "late",
    "angry",
    "please",
    "ok",
    "fine",
    "tomorrow",
    "work",
    "mum",
    "money",
    "phone",
]


def conversation(marker: str = "", messages: int = 40, *, aware: bool = False) -> Conversation:
    """A synthetic chat between two invented people; ``marker`` is put in names, texts and the source path."""
    start = datetime(2026, 1, 1, 9, 0) if not aware else datetime.fromisoformat("2026-01-01T09:00:00+02:00")
    people = (Participant("p1", f"Robin{marker}", "+1 555 0100"), Participant("p2", f"Kai{marker}"))
    rows = []
    for i in range(messages):
        words = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(3 + i % 9))
        text = f"{words} {marker}" if marker and i % 3 == 0 else words
        attachments = (Attachment("image", f"IMG-{i}.jpg", "image/jpeg"),) if i % 11 == 5 else ()
        rows.append(
            Message(
                id=i,
                timestamp=start + timedelta(minutes=17 * i, seconds=i % 60, microseconds=i),
                sender=people[i % 2].id if i % 13 != 12 else None,
                text=text,
                attachments=attachments,
                is_system=i % 13 == 12,
                source_line=i + 1,
            )
        )
    return Conversation(
        format="whatsapp",
        source=SourceFile(path=f"/home/x/Chat with {marker}.txt", sha256="ab" * 32, size=1234),
        participants=people,
        messages=tuple(rows),
        naive_timestamps=not aware,
        title=f"Chat {marker}",
        warnings=("a warning",),
    )


def selfcheck(marker: str = "") -> SelfCheckResult:
    return SelfCheckResult(
        version="1",
        taken_on="2026-03-01",
        band="several",
        band_name="Several signs",
        summary=f"Some of your answers point to signs. {marker}",
        reasoning=("you answered often",),
        score=7,
        max_score=30,
        signs=(SignScore("self_blame", "Self-blame", 3, 6),),
        answers=(SelfCheckAnswer("q1", "self_blame", f"Do you feel it is your fault? {marker}", 2, "often"),),
    )


def new_vault(folder: Path, name: str = "vault.db", idle_minutes: float | None = None) -> Vault:
    return Vault.create(folder / name, PASSPHRASE, kdf=FAST_KDF, idle_minutes=idle_minutes)


def file_bytes(db_path: Path) -> dict[str, bytes]:
    """The bytes of the vault file and of every file SQLite keeps beside it (-wal, -shm, -journal)."""
    return {p.name: p.read_bytes() for p in side_files(db_path) if p.exists()}


def found_in_files(db_path: Path, needle: bytes) -> list[str]:
    return [name for name, data in file_bytes(db_path).items() if needle in data]
