"""The web app's one vault: created, unlocked and locked from the "Your cases" page.

The key lives only in the :class:`~bondlens.vault.Vault` object held here; the passphrase is used to derive it and
is then dropped (never logged, stored or put in a page or an address). An unlocked vault belongs to the browser
session that unlocked it: any other session sees it locked until it gives the passphrase itself (and then the vault
is that session's). After the vault's idle time it locks itself, and every session sees it locked.

Unlocking is slowed down after repeated wrong passphrases (:class:`~bondlens.web.throttle.UnlockThrottle`, one for
the running server, whatever the session).

Cases are shown to the page by random tokens of the session (:meth:`VaultHolder.token`), never by their number in
the vault, so an address says nothing about how many cases there are.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bondlens.errors import BondlensError
from bondlens.selfcheck import SelfCheckResult
from bondlens.vault import KdfParams, StoredPlan, Vault, VaultError, VaultLockedError, WrongPassphraseError
from bondlens.web.sessions import Case, Session, new_id
from bondlens.web.throttle import UnlockThrottle

VaultStatus = Literal["missing", "locked", "unlocked"]
PLAN_NAME = "plan"  # the one plan kept with a case from the web app (keeping it again replaces it)


@dataclass(frozen=True, slots=True)
class KeptWith:
    """What the person kept with a case besides the chat: self-check results (oldest first) and their plan."""

    selfchecks: tuple[SelfCheckResult, ...]
    plan: StoredPlan | None


class VaultHolder:
    """The vault at ``path`` for one running app (opened lazily; nothing is created until the person asks)."""

    def __init__(self, path: Path, *, idle_minutes: float | None, kdf: KdfParams | None = None) -> None:
        self.path = path
        self.idle_minutes = idle_minutes
        self.kdf = kdf  # scrypt cost for a new vault; None: the vault's default (tests lower it)
        self._vault: Vault | None = None
        self._owner: str | None = None  # the session that unlocked it
        self._lock = threading.Lock()  # one passphrase try at a time
        self.throttle = UnlockThrottle()  # the wait after repeated wrong passphrases, for this running server

    def status(self, session: Session) -> VaultStatus:
        with self._lock:
            if self._vault is None and not self.path.exists():
                return "missing"
            if self._vault is None or self._owner != session.id or self._vault.is_locked:
                return "locked"
            return "unlocked"

    def create(self, session: Session, passphrase: str) -> None:
        """A new, empty vault, unlocked for ``session``. :class:`VaultError` when one exists or the passphrase is
        too short."""
        with self._lock:
            if self._vault is not None or self.path.exists():
                raise VaultError("a vault exists already; unlock it instead")
            self._vault = Vault.create(self.path, passphrase, kdf=self.kdf, idle_minutes=self.idle_minutes)
            self._owner = session.id

    def unlock(self, session: Session, passphrase: str) -> None:
        """Unlock for ``session``; :class:`~bondlens.vault.WrongPassphraseError` when the passphrase does not fit
        (counted by :attr:`throttle`), :class:`~bondlens.web.throttle.UnlockWaitError` without trying it while the
        wait after earlier wrong ones is not over."""
        with self._lock:  # the check and the try together: parallel requests cannot slip past the wait
            self.throttle.check()
            try:
                if self._vault is None:
                    self._vault = Vault.open(self.path, passphrase, idle_minutes=self.idle_minutes)
                else:
                    self._vault.unlock(passphrase)
            except WrongPassphraseError:
                self.throttle.failed()
                raise
            self.throttle.succeeded()
            self._owner = session.id

    def lock(self) -> None:
        """Forget the key and close the file now."""
        with self._lock:
            if self._vault is not None:
                self._vault.close()
            self._vault, self._owner = None, None

    def vault(self, session: Session) -> Vault:
        """The unlocked vault, for ``session`` only; :class:`VaultLockedError` otherwise."""
        with self._lock:
            if self._vault is None or self._owner != session.id or self._vault.is_locked:
                raise VaultLockedError("the vault is locked")
            return self._vault

    def keep_in_memory(self, session: Session, case: Case) -> bool:
        """Whether ``case`` may stay in the session's memory: yes for an upload that is not in the vault; for a case
        in the vault, only while the vault is unlocked for this session and still holds it (a look at it counts as
        use, postponing the auto-lock). A case that may not stay is dropped from the session."""
        if case.vault_id is None:
            return True
        try:
            self.vault(session).case(case.vault_id)
        except VaultError:
            session.cases.pop(case.id, None)
            return False
        return True

    def open_cases(self, session: Session) -> list[Case]:
        """The session's open cases that are in the vault (kept, or opened from it), while it is unlocked for the
        session: the ones a self-check or a plan can be kept with."""
        if self.status(session) != "unlocked":
            return []
        found = [c for c in list(session.cases.values()) if c.vault_id is not None and self.keep_in_memory(session, c)]
        return sorted(found, key=lambda c: c.uploaded)

    def kept_with(self, session: Session, case: Case) -> KeptWith | None:
        """The self-checks and the plan kept with ``case`` in the vault; None when it is not in the vault, or the
        vault is locked or cannot read them."""
        if case.vault_id is None:
            return None
        try:
            vault = self.vault(session)
            plans = [p for p in vault.plans(case.vault_id) if p.name == PLAN_NAME]
            return KeptWith(tuple(vault.selfchecks(case.vault_id)), plans[-1] if plans else None)
        except BondlensError:  # locked, damaged, or a result of another version
            return None

    def drop_locked(self, session: Session) -> None:
        """Drop from the session's memory every case of the vault, unless the vault is unlocked for it."""
        if self.status(session) != "unlocked":
            for case in [c for c in session.cases.values() if c.vault_id is not None]:
                session.cases.pop(case.id, None)

    @staticmethod
    def token(session: Session, case_id: int) -> str:
        """The session's opaque name for vault case ``case_id`` (the same one for as long as the session lives)."""
        found = session.vault_tokens.get(case_id)
        if found is None:
            found = session.vault_tokens[case_id] = new_id(12)
        return found

    @staticmethod
    def case_id(session: Session, token: str) -> int | None:
        return next((case_id for case_id, t in session.vault_tokens.items() if t == token), None)
