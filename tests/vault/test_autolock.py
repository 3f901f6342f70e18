"""The vault forgets its key after a while without use, and says so clearly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bondlens.vault import DEFAULT_IDLE_MINUTES, Vault, VaultLockedError, WrongPassphraseError
from tests.vault.helpers import FAST_KDF, PASSPHRASE, conversation, new_vault

IDLE_MINUTES = 0.005  # 0.3 s


def wait_until(condition: object, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_the_default_is_ten_minutes(tmp_path: Path) -> None:
    assert DEFAULT_IDLE_MINUTES == 10
    vault = Vault.create(tmp_path / "v.db", PASSPHRASE, kdf=FAST_KDF)
    assert vault.idle_minutes == 10 and not vault.is_locked
    vault.close()


def test_an_idle_vault_forgets_its_key_by_itself(tmp_path: Path) -> None:
    vault = new_vault(tmp_path, idle_minutes=IDLE_MINUTES)
    case_id = vault.add_case("x", conversation("a", 5))
    # the timer thread drops the key without anyone calling the vault (looked at directly, not via is_locked)
    assert wait_until(lambda: vault._sealer is None)
    assert vault.is_locked
    with pytest.raises(VaultLockedError, match=r"^vault is locked"):
        vault.cases()
    with pytest.raises(VaultLockedError, match="vault is locked"):
        vault.conversation(case_id)
    with pytest.raises(VaultLockedError):
        vault.add_case("y")
    with pytest.raises(WrongPassphraseError, match="wrong passphrase for vault"):
        vault.unlock("not it at all")
    assert vault.is_locked
    vault.unlock(PASSPHRASE)
    assert vault.case(case_id).label == "x"
    vault.close()


def test_use_keeps_it_unlocked(tmp_path: Path) -> None:
    vault = new_vault(tmp_path, idle_minutes=IDLE_MINUTES)
    case_id = vault.add_case("x")
    end = time.monotonic() + 1.0  # more than three idle periods, with use every 0.05 s
    while time.monotonic() < end:
        assert vault.case(case_id).label == "x"
        time.sleep(0.05)
    assert not vault.is_locked
    vault.close()


def test_lock_now_and_unlock_again(tmp_path: Path) -> None:
    vault = new_vault(tmp_path, idle_minutes=None)
    vault.lock()
    assert vault.is_locked
    with pytest.raises(VaultLockedError):
        vault.cases()
    vault.unlock(PASSPHRASE)
    assert vault.cases() == []
    time.sleep(0.1)
    assert not vault.is_locked  # None: never locks by itself
    vault.close()


def test_a_nonsense_idle_time_is_refused(tmp_path: Path) -> None:
    new_vault(tmp_path).close()
    with pytest.raises(Exception, match="idle_minutes must be positive"):
        Vault.open(tmp_path / "vault.db", PASSPHRASE, idle_minutes=0)
