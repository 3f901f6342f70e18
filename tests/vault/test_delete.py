"""Deleting a case really deletes it: afterwards none of its bytes (plain or encrypted) is in any vault file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bondlens.vault import CaseNotFoundError, Vault
from tests.vault.helpers import PASSPHRASE, conversation, file_bytes, found_in_files, new_vault, selfcheck

MARKER = "DelMarker-5b1e9c"


def ciphertexts(path: Path, case_id: int) -> list[bytes]:
    """Every sealed byte string the case has in the database (its metadata and records), read directly."""
    with sqlite3.connect(path) as raw:
        meta = [row[0] for row in raw.execute("SELECT meta FROM cases WHERE id = ?", (case_id,))]
        records = [row[0] for row in raw.execute("SELECT data FROM records WHERE case_id = ?", (case_id,))]
    return meta + records


def probes(sealed: list[bytes]) -> list[bytes]:
    """48-byte pieces from the start, middle and end of each ciphertext: any surviving page would hold one."""
    pieces = []
    for data in sealed:
        assert len(data) > 100
        pieces += [data[:48], data[len(data) // 2 : len(data) // 2 + 48], data[-48:]]
    return pieces


def test_a_deleted_case_leaves_no_byte_in_the_db_wal_shm_or_journal(tmp_path: Path) -> None:
    path = tmp_path / "vault.db"
    vault = new_vault(tmp_path)
    kept = vault.add_case("kept", conversation("keep", 200), me="p1")
    gone = vault.add_case(f"label {MARKER}", conversation(MARKER, 20_000), me="p1")
    vault.add_selfcheck(gone, selfcheck(MARKER))
    vault.save_plan(gone, f"leave on Friday {MARKER}")
    earlier = ciphertexts(path, gone)
    vault.rename_case(gone, f"renamed {MARKER}")  # the metadata is sealed anew; the old bytes must go too
    sealed = ciphertexts(path, gone)
    assert len(sealed) >= 6 and earlier[0] != sealed[0]
    pieces = probes(sealed)
    # the scan works: before deletion the ciphertext is there (in the db or WAL), the plaintext never is
    assert all(found_in_files(path, piece) for piece in pieces)
    assert found_in_files(path, MARKER.encode()) == []

    assert vault.delete_case(gone) is True

    files = file_bytes(path)
    assert set(files) <= {"vault.db", "vault.db-wal", "vault.db-shm", "vault.db-journal"}
    assert len(files.get("vault.db-wal", b"")) == 0  # checkpointed and truncated
    for piece in pieces + probes(earlier[:1]):
        assert found_in_files(path, piece) == []
    for needle in (MARKER.encode(), MARKER.encode("utf-16-le"), b"leave on Friday"):
        assert found_in_files(path, needle) == []
    with pytest.raises(CaseNotFoundError):
        vault.case(gone)
    assert [c.id for c in vault.cases()] == [kept]
    assert vault.conversation(kept) == conversation("keep", 200)
    vault.verify()
    vault.close()

    for piece in pieces:
        assert found_in_files(path, piece) == []
    with Vault.open(path, PASSPHRASE, idle_minutes=None) as again:
        assert [c.label for c in again.cases()] == ["kept"]
        new = again.add_case("after")
        assert new > gone  # ids are never reused: a stale link cannot point at another case


def test_the_file_shrinks_back_after_deleting_a_big_case(tmp_path: Path) -> None:
    path = tmp_path / "vault.db"
    vault = new_vault(tmp_path)
    vault.add_case("small", conversation("s", 50))
    vault._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    small = path.stat().st_size
    big = vault.add_case("big", conversation("b", 30_000))
    vault._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert path.stat().st_size > 4 * small
    vault.delete_case(big)
    assert path.stat().st_size <= small + 8192
    vault.close()


def test_deleting_an_unknown_case_is_a_clear_error(tmp_path: Path) -> None:
    vault = new_vault(tmp_path)
    with pytest.raises(CaseNotFoundError, match="no case 7"):
        vault.delete_case(7)
    vault.close()
