"""A process killed in the middle of an import leaves the vault as it was: earlier cases intact, no half case."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bondlens.vault import Vault
from tests.vault.helpers import PASSPHRASE, conversation, found_in_files, new_vault, selfcheck

# The child adds a case of 60,000 messages (12 sealed chunks) and reports each chunk it has written; the parent
# kills it with SIGKILL (no clean-up possible) once it has written ``after`` chunks. The child slows down after
# reporting so that the kill surely lands while the transaction is open. Its page cache is small, so uncommitted
# pages are already in the WAL file when it dies, as they are in a real import larger than SQLite's cache.
CHILD = """
import sys, time
from bondlens.vault import Vault
from tests.vault.helpers import PASSPHRASE, conversation
path, after = sys.argv[1], int(sys.argv[2])
big = conversation("HALFCASE-91ab", 60_000)
vault = Vault.open(path, PASSPHRASE, idle_minutes=None)
vault._conn.execute("PRAGMA cache_size = 16")  # pages spill into the WAL mid-transaction, as in a huge import
def progress(done, total):
    if done:
        print(f"wrote {done} of {total}", flush=True)
        if done >= after * 5000:
            time.sleep(0.5)
vault.add_case("half case", big, progress=progress)
print("finished", flush=True)
"""


def raw_check(path: Path) -> tuple[str, int]:
    """SQLite's own view, before bondlens opens the file: integrity check and number of case rows."""
    with sqlite3.connect(path) as raw:
        result = raw.execute("PRAGMA integrity_check").fetchone()[0]
        cases = raw.execute("SELECT COUNT(*) FROM cases").fetchone()[0]
    return result, cases


@pytest.mark.parametrize("after", [1, 7])
def test_a_killed_import_loses_nothing_and_leaves_no_half_case(tmp_path: Path, after: int) -> None:
    path = tmp_path / "vault.db"
    with new_vault(tmp_path) as vault:
        first = vault.add_case("first", conversation("one", 500), me="p1")
        second = vault.add_case("second", conversation("two", 7_000), me="p2")
        vault.add_selfcheck(second, selfcheck("two"))
        vault.save_plan(second, {"steps": ["a"]})

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(after)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert child.stdout is not None
    reports = []
    for line in child.stdout:
        reports.append(line.strip())
        if line.startswith("wrote") and int(line.split()[1]) >= after * 5000:
            os.kill(child.pid, signal.SIGKILL)
            break
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, (reports, child.stderr.read() if child.stderr else "")
    assert "finished" not in reports
    wal = Path(f"{path}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the killed writer left its uncommitted pages behind
    assert found_in_files(path, b"HALFCASE-91ab") == []  # encrypted, even half-written

    assert raw_check(path) == ("ok", 2)
    with Vault.open(path, PASSPHRASE, idle_minutes=None) as vault:
        assert [(c.id, c.label) for c in vault.cases()] == [(first, "first"), (second, "second")]
        assert vault.conversation(first) == conversation("one", 500)
        assert vault.conversation(second) == conversation("two", 7_000)
        assert vault.selfchecks(second) == [selfcheck("two")]
        assert json.loads(vault.plans(second)[0].content) == {"steps": ["a"]}
        vault.verify()  # integrity_check ok, every record authentic, no stray record of the half case
        third = vault.add_case("third", conversation("three", 10))
        assert vault.case(third).label == "third"
    assert raw_check(path) == ("ok", 3)
