"""The vault API: what goes in comes back out equal, encrypted on disk, and nothing else."""

from __future__ import annotations

import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from bondlens import load_conversation
from bondlens.analysis import analyse
from bondlens.analysis.schema import to_json
from bondlens.model import Adjustment, Conversation, Explanation, Finding, Span
from bondlens.vault import (
    CaseNotFoundError,
    Vault,
    VaultDamagedError,
    VaultError,
    WrongPassphraseError,
)
from bondlens.vault.paths import side_files
from tests.conftest import EXAMPLES
from tests.vault.helpers import PASSPHRASE, conversation, found_in_files, new_vault, selfcheck

EXAMPLE_FILES = sorted(p for p in EXAMPLES.iterdir() if p.is_file() and not p.name.startswith("."))


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return new_vault(tmp_path)


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_example_conversation_reads_back_equal(vault: Vault, example: Path) -> None:
    original = load_conversation(example)
    case_id = vault.add_case("a case", original, me=original.participants[0].id)
    stored = vault.conversation(case_id)
    assert stored == original
    assert stored.source.sha256 == original.source.sha256
    assert [m.timestamp.utcoffset() for m in stored.messages] == [m.timestamp.utcoffset() for m in original.messages]


def test_timezone_aware_times_and_attachments_survive(vault: Vault) -> None:
    original = conversation("tz", 60, aware=True)
    stored = vault.conversation(vault.add_case("aware", original))
    assert stored == original
    assert stored.messages[5].attachments == original.messages[5].attachments
    assert stored.messages[12].is_system


def sample_findings(chat: Conversation) -> list[Finding]:
    """Findings shaped like the detectors' (spans, adjustments, explanation), without loading the detectors."""
    found = []
    for message in chat.user_messages():
        if len(message.text) < 12 or message.id % 5:
            continue
        harm = message.sender == "Jordan" and message.id % 2 == 0
        label, label_set = ("emotional_abuse", "tactic") if harm else ("reinforcement", "tactic")
        if message.sender == "Alex":
            label, label_set = "self_blame", "sign"
        found.append(
            Finding(
                detector="rules.v1",
                label=label,
                label_set=label_set,  # type: ignore[arg-type]
                message_id=message.id,
                sender=message.sender,
                span=Span(2, 12),
                evidence=message.text[2:12],
                score=0.75,
                explanation=Explanation(
                    summary=f"rule {label} fired",
                    rule_id=f"{label}.1",
                    matched=message.text[2:12],
                    base_score=0.9,
                    adjustments=(Adjustment("hedge", 0.8333, "a hedge softens it"),),
                    source="domain.md",
                ),
            )
        )
    return found


def test_findings_and_analysis_of_the_sample_read_back(vault: Vault) -> None:
    chat = load_conversation(EXAMPLES / "whatsapp_cycle.txt")
    findings = sample_findings(chat)
    analysis = analyse(chat, findings, me="Alex")
    case_id = vault.add_case("sample", chat, me="Alex", findings=findings, analysis=analysis)
    assert vault.findings(case_id) == findings
    assert vault.analysis(case_id) == to_json(analysis)
    summary = vault.case(case_id)
    assert (summary.findings, summary.has_analysis, summary.me) == (len(findings), True, "Alex")
    assert summary.messages == len(chat.user_messages())
    assert summary.participants == ("Jordan", "Alex")
    assert summary.source_sha256 == chat.source.sha256
    vault.set_analysis(case_id, {"replaced": True})
    assert vault.analysis(case_id) == {"replaced": True}
    vault.verify()


def test_a_large_conversation_is_stored_in_chunks_and_reads_back(vault: Vault) -> None:
    original = conversation("big", 12_345)
    seen: list[tuple[int, int]] = []
    case_id = vault.add_case("big", original, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 12_345) and seen[-1] == (12_345, 12_345) and len(seen) == 4
    assert vault.conversation(case_id) == original


def test_selfchecks_and_plans_are_kept_with_the_case(vault: Vault) -> None:
    case_id = vault.add_case("with extras")
    vault.add_selfcheck(case_id, selfcheck("one"))
    vault.add_selfcheck(case_id, selfcheck("two"))
    vault.save_plan(case_id, {"steps": ["pack documents"], "safe_contact": "a friend"}, name="safety")
    vault.save_plan(case_id, "call the helpline on Monday", name="notes")
    vault.save_plan(case_id, {"steps": ["pack documents", "spare key"]}, name="safety")  # replaces the first one
    assert vault.selfchecks(case_id) == [selfcheck("one"), selfcheck("two")]
    plans = {p.name: p for p in vault.plans(case_id)}
    assert set(plans) == {"safety", "notes"}
    assert plans["safety"].media_type == "application/json" and "spare key" in plans["safety"].content
    assert plans["notes"].media_type == "text/plain" and plans["notes"].content == "call the helpline on Monday"
    summary = vault.case(case_id)
    assert (summary.selfchecks, summary.plans, summary.findings, summary.format) == (2, 2, None, None)
    with pytest.raises(VaultError, match="holds no conversation"):
        vault.conversation(case_id)
    assert vault.analysis(case_id) is None
    vault.verify()


def test_cases_are_listed_oldest_first_and_can_be_renamed(vault: Vault) -> None:
    first = vault.add_case("  first  ", conversation("a", 5))
    second = vault.add_case("second ❤", conversation("b", 7))
    vault.rename_case(first, "renamed")
    assert [(c.id, c.label) for c in vault.cases()] == [(first, "renamed"), (second, "second ❤")]
    assert vault.case(second).messages == 7


@pytest.mark.parametrize("label", ["", "   ", "two\nlines", "x" * 201])
def test_a_bad_label_is_refused(vault: Vault, label: str) -> None:
    with pytest.raises(VaultError, match="label"):
        vault.add_case(label)
    assert vault.cases() == []


def test_me_must_be_a_participant(vault: Vault) -> None:
    with pytest.raises(VaultError, match="not a participant"):
        vault.add_case("x", conversation("m", 3), me="nobody")


def test_an_unknown_case_is_a_clear_error(vault: Vault) -> None:
    with pytest.raises(CaseNotFoundError, match=r"no case 42 in vault .*vault\.db"):
        vault.case(42)


def test_the_wrong_passphrase_is_detected_by_authentication(tmp_path: Path) -> None:
    new_vault(tmp_path).close()
    path = tmp_path / "vault.db"
    with pytest.raises(WrongPassphraseError) as caught:
        Vault.open(path, "not the passphrase")
    assert str(caught.value) == f"wrong passphrase for vault {path}"
    Vault.open(path, PASSPHRASE, idle_minutes=None).close()


def test_a_short_passphrase_and_an_existing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="at least 8 characters"):
        Vault.create(tmp_path / "v.db", "short")
    (tmp_path / "taken.db").write_text("mine")
    with pytest.raises(VaultError, match="already exists"):
        new_vault(tmp_path, "taken.db")
    assert (tmp_path / "taken.db").read_text() == "mine"


def test_a_file_that_is_not_a_vault_is_left_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    before = other.read_bytes()
    with pytest.raises(VaultError, match="is not a bondlens vault"):
        Vault.open(other, PASSPHRASE)
    text = tmp_path / "notes.txt"
    text.write_text("hello " * 1000)
    with pytest.raises(VaultError, match="is not a bondlens vault"):
        Vault.open(text, PASSPHRASE)
    assert other.read_bytes() == before and not Path(f"{other}-wal").exists()
    with pytest.raises(VaultError, match="no vault at"):
        Vault.open(tmp_path / "missing.db", PASSPHRASE)


def test_files_and_folder_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "bondlens"
    vault = new_vault(folder)
    vault.add_case("x", conversation("p", 10))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    present = [p for p in side_files(folder / "vault.db") if p.exists()]
    assert {p.name for p in present} >= {"vault.db", "vault.db-wal", "vault.db-shm"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in present)
    vault.close()


def test_no_plaintext_reaches_the_files(tmp_path: Path) -> None:
    marker = "Zq7Marker"
    vault = new_vault(tmp_path)
    case_id = vault.add_case(f"label {marker}", conversation(marker, 300), me="p1")
    vault.add_selfcheck(case_id, selfcheck(marker))
    vault.save_plan(case_id, f"plan {marker}")
    vault.rename_case(case_id, f"renamed {marker}")
    path = tmp_path / "vault.db"
    needles = [marker.encode(), marker.encode("utf-16-le"), b"+1 555 0100", b"renamed ", b"Chat with", b"Self-blame"]
    for needle in needles:
        assert found_in_files(path, needle) == [], needle
    vault.close()
    for needle in needles:
        assert found_in_files(path, needle) == [], needle
    assert Vault.open(path, PASSPHRASE, idle_minutes=None).case(case_id).label == f"renamed {marker}"


def test_a_changed_record_is_detected(tmp_path: Path) -> None:
    vault = new_vault(tmp_path)
    case_id = vault.add_case("x", conversation("t", 20))
    with sqlite3.connect(tmp_path / "vault.db") as raw:
        record_id, data = raw.execute("SELECT id, data FROM records ORDER BY id DESC LIMIT 1").fetchone()
        raw.execute("UPDATE records SET data = ? WHERE id = ?", (data[:-1] + bytes([data[-1] ^ 1]), record_id))
    with pytest.raises(VaultDamagedError, match="missing or altered"):
        vault.conversation(case_id)
    with pytest.raises(VaultDamagedError):
        vault.verify()


def test_a_record_moved_to_another_case_or_removed_is_detected(tmp_path: Path) -> None:
    vault = new_vault(tmp_path)
    one, two = vault.add_case("one", conversation("a", 10)), vault.add_case("two", conversation("b", 10))
    with sqlite3.connect(tmp_path / "vault.db") as raw:
        raw.execute("UPDATE records SET case_id = ? WHERE case_id = ?", (two, one))
    with pytest.raises(VaultDamagedError):
        vault.conversation(one)
    with pytest.raises(VaultDamagedError):
        vault.verify()
    with sqlite3.connect(tmp_path / "vault.db") as raw:
        raw.execute("DELETE FROM records WHERE id = (SELECT MIN(id) FROM records)")
    with pytest.raises(VaultDamagedError):
        vault.verify()


def test_a_failed_import_leaves_nothing_behind(vault: Vault) -> None:
    kept = vault.add_case("kept", conversation("k", 50))

    def fail(done: int, total: int) -> None:
        if done > 5000:
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        vault.add_case("lost", conversation("l", 12_000), progress=fail)
    assert [c.label for c in vault.cases()] == ["kept"]
    assert vault.conversation(kept) == conversation("k", 50)
    vault.verify()


def test_threads_can_share_one_vault(vault: Vault) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for k in range(5):
                case_id = vault.add_case(f"t{n}-{k}", conversation(f"t{n}", 30))
                assert vault.case(case_id).label == f"t{n}-{k}"
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(vault.cases()) == 20
    vault.verify()


def test_a_closed_vault_says_so(vault: Vault) -> None:
    vault.close()
    with pytest.raises(VaultError, match="is closed"):
        vault.cases()


@pytest.mark.parametrize(("column", "value"), [("kdf_n", 2**26), ("kdf_r", 1000), ("kdf_n", "lots"), ("salt", "x")])
def test_an_altered_header_is_refused_before_any_key_is_derived(tmp_path: Path, column: str, value: object) -> None:
    new_vault(tmp_path).close()
    with sqlite3.connect(tmp_path / "vault.db") as raw:
        raw.execute(f"UPDATE vault SET {column} = ?", (value,))
    with pytest.raises(VaultDamagedError, match="damaged header"):
        Vault.open(tmp_path / "vault.db", PASSPHRASE)


def test_a_changed_salt_reads_as_a_wrong_passphrase(tmp_path: Path) -> None:
    new_vault(tmp_path).close()
    with sqlite3.connect(tmp_path / "vault.db") as raw:
        raw.execute("UPDATE vault SET salt = ?", (bytes(16),))
    with pytest.raises(WrongPassphraseError):
        Vault.open(tmp_path / "vault.db", PASSPHRASE)
