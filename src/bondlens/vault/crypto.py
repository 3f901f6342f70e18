"""Keys and authenticated encryption for the vault.

The key is derived from the passphrase with scrypt (RFC 7914, memory-hard; ``hashlib.scrypt`` from the standard
library) and a random 16-byte salt kept in the vault header. Every payload is compressed, then sealed with
AES-256-GCM under a fresh random 96-bit nonce; the associated data binds each ciphertext to this vault and to its
place in it (which case, which record), so ciphertexts cannot be moved between cases or vaults unnoticed.
"""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
import zlib
from dataclasses import dataclass
from typing import Any, ClassVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bondlens.errors import BondlensError

SEAL_VERSION = 1  # first byte of every sealed payload
NONCE_BYTES = 12
KEY_BYTES = 32
SALT_BYTES = 16
VERIFIER_PLAINTEXT = b"bondlens vault key check v1"
AAD_PREFIX = b"bondlens-vault/1\x00"
COMPRESS_LEVEL = 1  # zlib: on chat JSON level 3 is ~30% slower for ~8% smaller files


class DecryptionError(Exception):
    """A sealed payload failed authentication: wrong key, or the bytes were changed."""


@dataclass(frozen=True)
class KdfParams:
    """scrypt cost. The default (N=2^17, r=8, p=1: 128 MiB, about 0.4 s here) follows OWASP's recommendation.

    Cheaper settings are accepted (down to N=2^14) so tests run fast; the vault header records what was used."""

    n: int = 2**17
    r: int = 8
    p: int = 1

    MIN_N: ClassVar[int] = 2**14
    MAX_N: ClassVar[int] = 2**20
    MAX_MEMORY: ClassVar[int] = 2**30  # a damaged or altered header must not make bondlens ask for more

    def validate(self) -> None:
        n, r, p = self.n, self.r, self.p
        valid = self.MIN_N <= n <= self.MAX_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16
        if not valid or self.memory > self.MAX_MEMORY:
            raise BondlensError(f"scrypt parameters N={n}, r={r}, p={p} are outside the range bondlens accepts")

    @property
    def memory(self) -> int:
        """Bytes scrypt needs (what OpenSSL checks against ``maxmem``)."""
        return 128 * self.r * (self.n + 2) + 128 * self.r * self.p


def normalise_passphrase(passphrase: str) -> bytes:
    """NFC-normalised UTF-8, so the same passphrase typed on another keyboard or system gives the same key."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    params.validate()
    return hashlib.scrypt(
        normalise_passphrase(passphrase),
        salt=salt,
        n=params.n,
        r=params.r,
        p=params.p,
        maxmem=params.memory + 2**20,
        dklen=KEY_BYTES,
    )


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


class Sealer:
    """Seals and opens payloads of one vault with its key. ``context`` names the payload's place in the vault."""

    def __init__(self, key: bytes, vault_id: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("the vault key must be 32 bytes")
        self._aead = AESGCM(key)
        self._vault_id = vault_id

    def _aad(self, context: str) -> bytes:
        return AAD_PREFIX + self._vault_id + b"\x00" + context.encode("utf-8")

    def seal(self, plaintext: bytes, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        body = self._aead.encrypt(nonce, zlib.compress(plaintext, COMPRESS_LEVEL), self._aad(context))
        return bytes([SEAL_VERSION]) + nonce + body

    def open(self, sealed: bytes, context: str) -> bytes:
        if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[0] != SEAL_VERSION:
            raise DecryptionError("not a sealed payload")
        nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
        try:
            return zlib.decompress(self._aead.decrypt(nonce, body, self._aad(context)))
        except (InvalidTag, zlib.error):
            raise DecryptionError("authentication failed") from None

    def seal_json(self, value: Any, context: str) -> bytes:
        return self.seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), context)

    def open_json(self, sealed: bytes, context: str) -> Any:
        return json.loads(self.open(sealed, context).decode("utf-8"))

    def verifier(self) -> bytes:
        """A record that proves a key right (it opens) or wrong (authentication fails), without revealing it."""
        return self.seal(VERIFIER_PLAINTEXT, "verifier")

    def check(self, verifier: bytes) -> bool:
        try:
            return self.open(verifier, "verifier") == VERIFIER_PLAINTEXT
        except DecryptionError:
            return False
