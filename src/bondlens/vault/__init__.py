"""The encrypted case vault: cases (conversation, findings, analysis, self-checks, plans) kept on this computer.

Design choice: **authenticated encryption of every stored payload** in an ordinary SQLite file, not SQLCipher.

- Key: scrypt (memory-hard; N=2^17, r=8, p=1, 128 MiB, about 0.4 s) from the passphrase and a random 16-byte
  salt kept in the vault header. scrypt is in Python's standard library, so the key derivation needs no extra
  native package.
- Payloads: compressed JSON sealed with AES-256-GCM (``cryptography``, the maintained reference library with
  wheels for every platform) under a random nonce, with associated data naming the vault and the payload's place
  (case, record), plus a SHA-256 manifest of each case's records inside its sealed metadata. Tampering, swapping
  or dropping a record is detected; a wrong passphrase is detected by a verifier record that fails
  authentication, never by decrypting garbage.
- Plain in the file: ids, sizes and timestamps only. Case labels, names, message text, findings, analyses,
  self-check answers and plans are encrypted, so plaintext never reaches the disk (not the file, the WAL or a
  temporary file: temp_store is memory).

Why not SQLCipher: its Python bindings are single-maintainer wheels that bundle their own SQLite and crypto build
and lag CPython releases; a vault that cannot be opened after an upgrade would lose a survivor's evidence. With
per-payload encryption the file stays a normal SQLite database (integrity_check, WAL, VACUUM work as usual),
the only new dependency is ``cryptography``, and a test can look for the exact ciphertext of a deleted case in
the files. What it costs: SQLite's own structure (how many cases, record sizes, times) is visible, which the
brief allows.

No passphrase recovery exists, by design: an abuser must not be able to use one.
"""

from bondlens.vault.crypto import KdfParams
from bondlens.vault.export import export_case
from bondlens.vault.paths import default_vault_path
from bondlens.vault.store import (
    DEFAULT_IDLE_MINUTES,
    MIN_PASSPHRASE_CHARS,
    CaseNotFoundError,
    CaseSummary,
    StoredPlan,
    Vault,
    VaultDamagedError,
    VaultError,
    VaultLockedError,
    WrongPassphraseError,
)

__all__ = [
    "DEFAULT_IDLE_MINUTES",
    "MIN_PASSPHRASE_CHARS",
    "CaseNotFoundError",
    "CaseSummary",
    "KdfParams",
    "StoredPlan",
    "Vault",
    "VaultDamagedError",
    "VaultError",
    "VaultLockedError",
    "WrongPassphraseError",
    "default_vault_path",
    "export_case",
]
