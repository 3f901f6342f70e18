"""The case vault: an SQLite file in which everything that could reveal whom or what a case is about is encrypted.

Layout (see ``SCHEMA``): one header row (format, scrypt parameters, salt, key verifier), one row per case (id,
created/updated times, size, sealed metadata) and one row per stored record (id, case id, time, size, sealed data).
Plain columns are ids, sizes and timestamps only. The sealed metadata of a case holds its label, who "me" is, a
summary of the conversation and a manifest of its records with the SHA-256 of each record's ciphertext, so a
record that is missing, swapped or altered is detected on reading.

Every change is one SQLite transaction (WAL journal, ``synchronous=FULL``): a process killed half-way through an
import leaves the vault as it was before. Deleting a case removes its rows with ``secure_delete`` on, then
checkpoints and truncates the WAL and VACUUMs the file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from bondlens.errors import BondlensError
from bondlens.model import Conversation, Finding
from bondlens.selfcheck.model import SelfCheckResult, result_from_dict
from bondlens.vault.crypto import DecryptionError, KdfParams, Sealer, derive_key, new_salt
from bondlens.vault.paths import create_private_file, make_private_dir, side_files
from bondlens.vault.records import (
    conversation_from_records,
    conversation_header,
    finding_from_record,
    finding_to_record,
    message_record,
)

if TYPE_CHECKING:
    from bondlens.analysis import Analysis

FORMAT = "bondlens-vault"
FORMAT_VERSION = 1
DEFAULT_IDLE_MINUTES = 10.0
MIN_PASSPHRASE_CHARS = 8
MAX_LABEL_CHARS = 200
CHUNK_RECORDS = 5000  # messages or findings per sealed record: bounds memory and shows progress on big imports

SCHEMA = (
    """CREATE TABLE vault (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        format TEXT NOT NULL,
        version INTEGER NOT NULL,
        vault_id BLOB NOT NULL,
        kdf TEXT NOT NULL,
        kdf_n INTEGER NOT NULL,
        kdf_r INTEGER NOT NULL,
        kdf_p INTEGER NOT NULL,
        salt BLOB NOT NULL,
        verifier BLOB NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE cases (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        size INTEGER NOT NULL,
        meta BLOB NOT NULL
    )""",
    """CREATE TABLE records (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        size INTEGER NOT NULL,
        data BLOB NOT NULL
    )""",
    "CREATE INDEX records_by_case ON records(case_id)",
)

ProgressFn = Callable[[int, int], None]
P = ParamSpec("P")
R = TypeVar("R")


class VaultError(BondlensError):
    """Anything that goes wrong with a vault, in one line naming the vault."""


class WrongPassphraseError(VaultError):
    """The passphrase does not open this vault (the key verifier failed authentication)."""


class VaultLockedError(VaultError):
    """The vault forgot its key (locked by hand or after being idle); unlock it with the passphrase."""


class CaseNotFoundError(VaultError):
    """No case with that id (never stored, or deleted)."""


class VaultDamagedError(VaultError):
    """Stored data failed authentication or is missing: the file was damaged or altered."""


@dataclass(frozen=True)
class CaseSummary:
    """What `vault list` and `vault show` print about a case (decrypted; keep it off disk)."""

    id: int
    label: str
    created: datetime
    updated: datetime
    size: int  # bytes of sealed data
    me: str | None  # participant id of the person, when a conversation is stored
    participants: tuple[str, ...]  # display names
    format: str | None
    source_sha256: str | None
    messages: int  # messages people wrote (system lines not counted)
    first_message: str | None  # ISO 8601, as the export gave it
    last_message: str | None
    findings: int | None  # None when no findings were stored
    has_analysis: bool
    selfchecks: int
    plans: int


@dataclass(frozen=True)
class StoredPlan:
    """A plan kept with a case: opaque to the vault (text, or JSON text when ``media_type`` says so)."""

    id: int
    name: str
    media_type: str  # "application/json" or "text/plain"
    content: str
    created: datetime


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def clean_label(label: str) -> str:
    """A case label as stored: trimmed, 1 to 200 characters, no control characters."""
    text = unicodedata.normalize("NFC", label).strip()
    if not text:
        raise VaultError("the case label is empty; give a word or two you will recognise")
    if len(text) > MAX_LABEL_CHARS:
        raise VaultError(f"the case label is longer than {MAX_LABEL_CHARS} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise VaultError("the case label must be one line without control characters")
    return text


def _guarded(method: Callable[Concatenate[Vault, P], R]) -> Callable[Concatenate[Vault, P], R]:
    """Run a public method under the vault's lock; turn SQLite errors into one-line vault errors."""

    @functools.wraps(method)
    def wrapper(self: Vault, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._lock:
            if self._db is None:
                raise VaultError(f"vault {self.path} is closed")
            try:
                return method(self, *args, **kwargs)
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise VaultError(f"vault {self.path} is busy: another program is using it ({exc})") from None
                raise VaultError(f"vault {self.path}: {exc}") from None
            except sqlite3.DatabaseError as exc:
                raise VaultDamagedError(f"vault {self.path} is damaged: {exc}") from None

    return wrapper


def _connect(path: Path) -> sqlite3.Connection:
    """Open an existing file (never creates one), without changing it."""
    try:
        return sqlite3.connect(
            path.resolve().as_uri() + "?mode=rw", uri=True, isolation_level=None, check_same_thread=False, timeout=10
        )
    except sqlite3.Error as exc:
        raise VaultError(f"cannot open vault {path}: {exc}") from None


def _configure(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed, so deleted rows leave nothing behind
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")  # a committed case survives a power cut, not only a crash
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA temp_store = MEMORY")  # VACUUM and sorting use memory, never a temporary file


@dataclass(frozen=True)
class _Header:
    vault_id: bytes
    kdf: KdfParams
    salt: bytes
    verifier: bytes


def _read_header(db: sqlite3.Connection, path: Path) -> _Header:
    try:
        row = db.execute(
            "SELECT format, version, vault_id, kdf, kdf_n, kdf_r, kdf_p, salt, verifier FROM vault WHERE id = 1"
        ).fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row is None or row[0] != FORMAT:
        raise VaultError(f"{path} is not a bondlens vault")
    if row[1] != FORMAT_VERSION or row[3] != "scrypt":
        raise VaultError(f"vault {path} was made by another version of bondlens (format {row[1]}); update bondlens")
    try:
        if not all(isinstance(row[i], bytes) for i in (2, 7, 8)):
            raise BondlensError("the salt, id or verifier is not binary")
        header = _Header(bytes(row[2]), KdfParams(int(row[4]), int(row[5]), int(row[6])), row[7], row[8])
        header.kdf.validate()
    except (BondlensError, TypeError, ValueError) as exc:
        raise VaultDamagedError(f"vault {path} has a damaged header: {exc}") from None
    return header


class Vault:
    """An open vault. Create one with :meth:`create`, open one with :meth:`open`; close it (or use ``with``).

    The key is kept only while the vault is unlocked. After ``idle_minutes`` without use (default 10; ``None``
    never) a background timer forgets it, and every method that reads or writes cases raises
    :class:`VaultLockedError` until :meth:`unlock` is called with the passphrase. Methods are thread-safe.
    """

    def __init__(self, path: Path, db: sqlite3.Connection, header: _Header, idle_minutes: float | None) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = db
        self._header = header
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._sealer: Sealer | None = None
        self._generation = 0
        self._last_used = time.monotonic()
        if idle_minutes is not None and idle_minutes <= 0:
            raise VaultError("idle_minutes must be positive (or None to never lock by itself)")
        self.idle_minutes = idle_minutes

    # -- opening, locking -------------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        passphrase: str,
        *,
        kdf: KdfParams | None = None,
        idle_minutes: float | None = DEFAULT_IDLE_MINUTES,
    ) -> Vault:
        """Create a new, empty vault at ``path`` (file 0600, its folder 0700 when bondlens creates it)."""
        target = Path(path)
        if len(passphrase) < MIN_PASSPHRASE_CHARS:
            raise VaultError(f"the passphrase must have at least {MIN_PASSPHRASE_CHARS} characters")
        params = kdf or KdfParams()
        params.validate()
        if any(p.exists() for p in side_files(target)):
            raise VaultError(f"{target} already exists; bondlens will not overwrite it (choose another path)")
        make_private_dir(target.parent)
        create_private_file(target)
        db: sqlite3.Connection | None = None
        try:
            header = _Header(vault_id=uuid.uuid4().bytes, kdf=params, salt=new_salt(), verifier=b"")
            sealer = Sealer(derive_key(passphrase, header.salt, params), header.vault_id)
            header = _Header(header.vault_id, params, header.salt, sealer.verifier())
            db = _connect(target)
            _configure(db)
            db.execute("BEGIN IMMEDIATE")
            for statement in SCHEMA:
                db.execute(statement)
            db.execute(
                "INSERT INTO vault (id, format, version, vault_id, kdf, kdf_n, kdf_r, kdf_p, salt, verifier, "
                "created_at) VALUES (1, ?, ?, ?, 'scrypt', ?, ?, ?, ?, ?, ?)",
                (FORMAT, FORMAT_VERSION, header.vault_id, params.n, params.r, params.p, header.salt,
                 header.verifier, _now()),
            )  # fmt: skip
            db.execute("COMMIT")
        except BaseException as exc:
            if db is not None:
                db.close()
            for leftover in side_files(target):
                leftover.unlink(missing_ok=True)
            if isinstance(exc, sqlite3.Error):
                raise VaultError(f"cannot create the vault {target}: {exc}") from None
            raise
        vault = cls(target, db, header, idle_minutes)
        vault._set_sealer(sealer)
        return vault

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], passphrase: str, *, idle_minutes: float | None = DEFAULT_IDLE_MINUTES
    ) -> Vault:
        """Open an existing vault; :class:`WrongPassphraseError` when the passphrase does not fit."""
        target = Path(path)
        if not target.is_file():
            raise VaultError(f"no vault at {target}")
        db = _connect(target)
        try:
            header = _read_header(db, target)  # before any PRAGMA: never touch a file that is not a vault
            sealer = Sealer(derive_key(passphrase, header.salt, header.kdf), header.vault_id)
            if not sealer.check(header.verifier):
                raise WrongPassphraseError(f"wrong passphrase for vault {target}")
            _configure(db)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # leftovers of a killed writer leave the WAL now
        except BaseException:
            db.close()
            raise
        if os.name == "posix" and target.stat().st_mode & 0o077:
            os.chmod(target, 0o600)  # a copied vault may have lost its private mode
        vault = cls(target, db, header, idle_minutes)
        vault._set_sealer(sealer)
        return vault

    def _set_sealer(self, sealer: Sealer) -> None:
        with self._cond:
            self._sealer = sealer
            self._generation += 1
            self._last_used = time.monotonic()
            if self.idle_minutes is not None:
                threading.Thread(
                    target=self._watch, args=(self._generation,), name="bondlens-vault-autolock", daemon=True
                ).start()

    def _watch(self, generation: int) -> None:
        """Forget the key once the vault has been idle for ``idle_minutes`` (runs in a daemon thread)."""
        with self._cond:
            while self._generation == generation and self._sealer is not None and self.idle_minutes is not None:
                remaining = self._last_used + self.idle_minutes * 60 - time.monotonic()
                if remaining <= 0:
                    self._forget()
                    return
                self._cond.wait(remaining)

    def _forget(self) -> None:
        with self._cond:
            self._sealer = None  # the AES key object goes with it; Python cannot promise to wipe the memory
            self._generation += 1
            self._cond.notify_all()

    def lock(self) -> None:
        """Forget the key now."""
        self._forget()

    def unlock(self, passphrase: str) -> None:
        """Derive the key again from the passphrase; :class:`WrongPassphraseError` when it does not fit."""
        with self._lock:
            if self._db is None:
                raise VaultError(f"vault {self.path} is closed")
            sealer = Sealer(derive_key(passphrase, self._header.salt, self._header.kdf), self._header.vault_id)
            if not sealer.check(self._header.verifier):
                raise WrongPassphraseError(f"wrong passphrase for vault {self.path}")
            self._set_sealer(sealer)

    @property
    def is_locked(self) -> bool:
        with self._lock:
            self._expire()
            return self._sealer is None

    def _expire(self) -> None:
        if (
            self._sealer is not None
            and self.idle_minutes is not None
            and time.monotonic() - self._last_used >= self.idle_minutes * 60
        ):
            self._forget()

    def _active(self) -> Sealer:
        """The sealer, for a method that reads or writes cases; counts as use (postpones the auto-lock)."""
        self._expire()
        if self._sealer is None:
            minutes = "" if self.idle_minutes is None else f" after {self.idle_minutes:g} minutes without use"
            raise VaultLockedError(
                f"vault is locked ({self.path} locks itself{minutes}); unlock it with the passphrase"
            )
        self._last_used = time.monotonic()
        return self._sealer

    def close(self) -> None:
        """Forget the key and close the file (SQLite then folds the WAL into the file and removes it)."""
        with self._lock:
            self._forget()
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- low level ---------------------------------------------------------------------------------------------

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise VaultError(f"vault {self.path} is closed")
        return self._db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._conn
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _open_json(self, sealer: Sealer, sealed: bytes, context: str) -> Any:
        try:
            return sealer.open_json(sealed, context)
        except DecryptionError:
            raise VaultDamagedError(
                f"vault {self.path} is damaged: {context} failed authentication (the file was altered)"
            ) from None

    def _meta(self, sealer: Sealer, case_id: int) -> tuple[dict[str, Any], tuple[Any, ...]]:
        row = self._conn.execute(
            "SELECT id, created_at, updated_at, size, meta FROM cases WHERE id = ?", (int(case_id),)
        ).fetchone()
        if row is None:
            raise CaseNotFoundError(f"no case {case_id} in vault {self.path}")
        meta: dict[str, Any] = self._open_json(sealer, row[4], f"case:{row[0]}/meta")
        return meta, tuple(row)

    def _put(
        self, db: sqlite3.Connection, sealer: Sealer, case_id: int, kind: str, value: Any, **extra: Any
    ) -> dict[str, Any]:
        """Seal and insert one record; returns its manifest entry."""
        data = sealer.seal_json(value, f"case:{case_id}/record")
        now = _now()
        cursor = db.execute(
            "INSERT INTO records (case_id, created_at, size, data) VALUES (?, ?, ?, ?)", (case_id, now, len(data), data)
        )
        self._last_used = time.monotonic()
        return {
            "id": cursor.lastrowid,
            "kind": kind,
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "created": now,
            **extra,
        }

    def _get(self, sealer: Sealer, case_id: int, entry: Mapping[str, Any]) -> Any:
        row = self._conn.execute("SELECT case_id, data FROM records WHERE id = ?", (entry["id"],)).fetchone()
        if row is None or row[0] != case_id or hashlib.sha256(row[1]).hexdigest() != entry["sha256"]:
            raise VaultDamagedError(f"vault {self.path} is damaged: a record of case {case_id} is missing or altered")
        return self._open_json(sealer, row[1], f"case:{case_id}/record")

    def _save_meta(self, db: sqlite3.Connection, sealer: Sealer, case_id: int, meta: dict[str, Any]) -> None:
        size = sum(int(e["size"]) for e in meta["records"])
        sealed = sealer.seal_json(meta, f"case:{case_id}/meta")
        db.execute("UPDATE cases SET updated_at = ?, size = ?, meta = ? WHERE id = ?", (_now(), size, sealed, case_id))

    @staticmethod
    def _entries(meta: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
        return sorted((e for e in meta["records"] if e["kind"] == kind), key=lambda e: (e.get("seq", 0), e["id"]))

    def _drop(self, db: sqlite3.Connection, meta: dict[str, Any], kind: str, name: str | None = None) -> None:
        """Remove the records of ``kind`` (and ``name``) from the case, rows included."""
        gone = [e for e in meta["records"] if e["kind"] == kind and (name is None or e.get("name") == name)]
        for entry in gone:
            db.execute("DELETE FROM records WHERE id = ?", (entry["id"],))
        meta["records"] = [e for e in meta["records"] if e not in gone]

    # -- cases -------------------------------------------------------------------------------------------------

    @_guarded
    def add_case(
        self,
        label: str,
        conversation: Conversation | None = None,
        *,
        me: str | None = None,
        findings: Sequence[Finding] | None = None,
        analysis: Analysis | Mapping[str, Any] | None = None,
        progress: ProgressFn | None = None,
    ) -> int:
        """Store a new case in one transaction and return its id. ``me`` is the person's participant id.

        ``progress(done, total)`` is called as the messages are written. If the process dies before this returns,
        the vault holds no trace of the case (the transaction never committed)."""
        text = clean_label(label)
        if me is not None and (conversation is None or me not in {p.id for p in conversation.participants}):
            raise VaultError(f"me={me!r} is not a participant id of the conversation")
        analysis_json = None if analysis is None else _analysis_json(analysis)
        sealer = self._active()
        with self._transaction() as db:
            now = _now()
            cursor = db.execute(
                "INSERT INTO cases (created_at, updated_at, size, meta) VALUES (?, ?, 0, x'')", (now, now)
            )
            case_id = int(cursor.lastrowid or 0)
            meta: dict[str, Any] = {"label": text, "me": me, "conversation": None, "findings": None, "records": []}
            records: list[dict[str, Any]] = meta["records"]
            if conversation is not None:
                meta["conversation"] = _conversation_summary(conversation)
                records.append(self._put(db, sealer, case_id, "conversation", conversation_header(conversation)))
                messages = conversation.messages
                total = len(messages)
                if progress is not None:
                    progress(0, total)
                for seq, start in enumerate(range(0, total, CHUNK_RECORDS)):
                    chunk = [message_record(conversation, m) for m in messages[start : start + CHUNK_RECORDS]]
                    records.append(self._put(db, sealer, case_id, "messages", chunk, seq=seq))
                    if progress is not None:
                        progress(min(start + CHUNK_RECORDS, total), total)
            if findings is not None:
                meta["findings"] = len(findings)
                for seq, start in enumerate(range(0, max(len(findings), 1), CHUNK_RECORDS)):
                    chunk = [finding_to_record(f) for f in findings[start : start + CHUNK_RECORDS]]
                    records.append(self._put(db, sealer, case_id, "findings", chunk, seq=seq))
            if analysis_json is not None:
                records.append(self._put(db, sealer, case_id, "analysis", analysis_json))
            self._save_meta(db, sealer, case_id, meta)
        return case_id

    @_guarded
    def cases(self) -> list[CaseSummary]:
        """Every case, oldest first."""
        sealer = self._active()
        ids = [row[0] for row in self._conn.execute("SELECT id FROM cases ORDER BY id")]
        return [self._summary(sealer, case_id) for case_id in ids]

    @_guarded
    def case(self, case_id: int) -> CaseSummary:
        return self._summary(self._active(), case_id)

    def _summary(self, sealer: Sealer, case_id: int) -> CaseSummary:
        meta, row = self._meta(sealer, case_id)
        conv: dict[str, Any] = meta["conversation"] or {}
        return CaseSummary(
            id=row[0],
            label=meta["label"],
            created=_when(row[1]),
            updated=_when(row[2]),
            size=row[3],
            me=meta["me"],
            participants=tuple(p["name"] for p in conv.get("participants", ())),
            format=conv.get("format"),
            source_sha256=conv.get("source_sha256"),
            messages=int(conv.get("user_messages", 0)),
            first_message=conv.get("first"),
            last_message=conv.get("last"),
            findings=meta["findings"],
            has_analysis=bool(self._entries(meta, "analysis")),
            selfchecks=len(self._entries(meta, "selfcheck")),
            plans=len(self._entries(meta, "plan")),
        )

    @_guarded
    def rename_case(self, case_id: int, label: str) -> None:
        text = clean_label(label)
        sealer = self._active()
        with self._transaction() as db:
            meta, _ = self._meta(sealer, case_id)
            meta["label"] = text
            self._save_meta(db, sealer, case_id, meta)

    @_guarded
    def conversation(self, case_id: int) -> Conversation:
        """The stored conversation, equal to the one that was imported."""
        sealer = self._active()
        meta, _ = self._meta(sealer, case_id)
        headers = self._entries(meta, "conversation")
        if not headers:
            raise VaultError(f"case {case_id} in vault {self.path} holds no conversation")
        header = self._get(sealer, case_id, headers[0])
        messages: list[dict[str, Any]] = []
        for entry in self._entries(meta, "messages"):
            messages.extend(self._get(sealer, case_id, entry))
        return conversation_from_records(header, messages)

    @_guarded
    def findings(self, case_id: int) -> list[Finding]:
        """The stored findings (empty when none were stored)."""
        sealer = self._active()
        meta, _ = self._meta(sealer, case_id)
        found: list[Finding] = []
        for entry in self._entries(meta, "findings"):
            found.extend(finding_from_record(r) for r in self._get(sealer, case_id, entry))
        return found

    @_guarded
    def analysis(self, case_id: int) -> dict[str, Any] | None:
        """The stored analysis as JSON data (schema v1 of :mod:`bondlens.analysis.schema`), or None."""
        sealer = self._active()
        meta, _ = self._meta(sealer, case_id)
        entries = self._entries(meta, "analysis")
        if not entries:
            return None
        value: dict[str, Any] = self._get(sealer, case_id, entries[-1])
        return value

    @_guarded
    def set_analysis(self, case_id: int, analysis: Analysis | Mapping[str, Any]) -> None:
        """Store (or replace) the case's analysis."""
        value = _analysis_json(analysis)
        sealer = self._active()
        with self._transaction() as db:
            meta, _ = self._meta(sealer, case_id)
            self._drop(db, meta, "analysis")
            meta["records"].append(self._put(db, sealer, case_id, "analysis", value))
            self._save_meta(db, sealer, case_id, meta)

    @_guarded
    def add_selfcheck(self, case_id: int, result: SelfCheckResult) -> int:
        """Keep a self-check result with the case; returns its record id."""
        value = json.loads(result.to_json())
        sealer = self._active()
        with self._transaction() as db:
            meta, _ = self._meta(sealer, case_id)
            entry = self._put(db, sealer, case_id, "selfcheck", value, seq=len(self._entries(meta, "selfcheck")))
            meta["records"].append(entry)
            self._save_meta(db, sealer, case_id, meta)
        return int(entry["id"])

    @_guarded
    def selfchecks(self, case_id: int) -> list[SelfCheckResult]:
        """The self-check results kept with the case, oldest first."""
        sealer = self._active()
        meta, _ = self._meta(sealer, case_id)
        where = f"vault {self.path}, case {case_id}"
        return [result_from_dict(self._get(sealer, case_id, e), where) for e in self._entries(meta, "selfcheck")]

    @_guarded
    def save_plan(self, case_id: int, content: str | Mapping[str, Any] | list[Any], *, name: str = "plan") -> int:
        """Keep a plan with the case (text, or JSON-ready data); a plan of the same ``name`` is replaced."""
        if isinstance(content, str):
            value = {"name": name, "media_type": "text/plain", "content": content}
        else:
            value = {"name": name, "media_type": "application/json", "content": json.dumps(content, ensure_ascii=False)}
        sealer = self._active()
        with self._transaction() as db:
            meta, _ = self._meta(sealer, case_id)
            self._drop(db, meta, "plan", name)
            entry = self._put(db, sealer, case_id, "plan", value, name=name)
            meta["records"].append(entry)
            self._save_meta(db, sealer, case_id, meta)
        return int(entry["id"])

    @_guarded
    def plans(self, case_id: int) -> list[StoredPlan]:
        sealer = self._active()
        meta, _ = self._meta(sealer, case_id)
        plans = []
        for entry in self._entries(meta, "plan"):
            value = self._get(sealer, case_id, entry)
            plans.append(
                StoredPlan(entry["id"], value["name"], value["media_type"], value["content"], _when(entry["created"]))
            )
        return plans

    @_guarded
    def delete_case(self, case_id: int) -> bool:
        """Delete the case for good: its rows go (freed pages zeroed by ``secure_delete``), then the WAL is
        checkpointed and truncated and the file VACUUMed, so none of its bytes remain in the vault's files.

        Returns False when another program holds the vault open so the WAL could not be truncated yet (the case
        is deleted all the same; its encrypted pages leave the WAL once that program closes it)."""
        sealer = self._active()
        with self._transaction() as db:
            self._meta(sealer, case_id)  # CaseNotFoundError, and proof the key fits this case
            db.execute("DELETE FROM records WHERE case_id = ?", (case_id,))
            db.execute("DELETE FROM cases WHERE id = ?", (case_id,))
        return self._wipe()

    def _wipe(self) -> bool:
        db = self._conn
        db.execute("PRAGMA secure_delete = ON")
        first = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        try:
            db.execute("VACUUM")
        except sqlite3.OperationalError:
            return False
        last = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return bool(first[0] == 0 and last[0] == 0)

    @_guarded
    def verify(self) -> None:
        """Check the whole vault: SQLite's integrity check, then that every record of every case is present and
        authentic. Raises :class:`VaultDamagedError` otherwise."""
        sealer = self._active()
        db = self._conn
        result = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise VaultDamagedError(f"vault {self.path} is damaged: {'; '.join(result[:3])}")
        listed: set[int] = set()
        for (case_id,) in db.execute("SELECT id FROM cases").fetchall():
            meta, _ = self._meta(sealer, case_id)
            for entry in meta["records"]:
                self._get(sealer, case_id, entry)
                listed.add(int(entry["id"]))
        stray = {row[0] for row in db.execute("SELECT id FROM records")} - listed
        if stray:
            raise VaultDamagedError(f"vault {self.path} is damaged: {len(stray)} record(s) belong to no case")


def _analysis_json(analysis: Analysis | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(analysis, Mapping):
        return json.loads(json.dumps(analysis, ensure_ascii=False))  # type: ignore[no-any-return]
    from bondlens.analysis.schema import to_json

    return to_json(analysis)


def _conversation_summary(conversation: Conversation) -> dict[str, Any]:
    first, last = conversation.first_timestamp, conversation.last_timestamp
    return {
        "format": conversation.format,
        "title": conversation.title,
        "participants": [{"id": p.id, "name": p.name} for p in conversation.participants],
        "messages": len(conversation.messages),
        "user_messages": len(conversation.user_messages()),
        "first": None if first is None else first.isoformat(),
        "last": None if last is None else last.isoformat(),
        "source_sha256": conversation.source.sha256,
    }
