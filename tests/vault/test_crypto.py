"""The key derivation and the sealing of payloads."""

from __future__ import annotations

import os
import time

import pytest

from bondlens.errors import BondlensError
from bondlens.vault.crypto import DecryptionError, KdfParams, Sealer, derive_key, new_salt

VAULT_ID = os.urandom(16)


def sealer(key: bytes | None = None, vault_id: bytes = VAULT_ID) -> Sealer:
    return Sealer(key or bytes(range(32)), vault_id)


def test_a_payload_opens_only_with_its_key_vault_and_place() -> None:
    box = sealer().seal(b"the words of a message", "case:1/record")
    assert sealer().open(box, "case:1/record") == b"the words of a message"
    with pytest.raises(DecryptionError):
        sealer(bytes(32)).open(box, "case:1/record")  # another key
    with pytest.raises(DecryptionError):
        sealer().open(box, "case:2/record")  # moved to another case
    with pytest.raises(DecryptionError):
        sealer(vault_id=os.urandom(16)).open(box, "case:1/record")  # copied into another vault


@pytest.mark.parametrize("position", [0, 5, 20, -1])
def test_any_changed_byte_is_detected(position: int) -> None:
    box = bytearray(sealer().seal(b"x" * 100, "c"))
    box[position] ^= 0x01
    with pytest.raises(DecryptionError):
        sealer().open(bytes(box), "c")


def test_the_same_plaintext_never_seals_to_the_same_bytes() -> None:
    s = sealer()
    assert s.seal(b"same", "c") != s.seal(b"same", "c")  # a fresh nonce each time


def test_the_plaintext_is_not_in_the_sealed_bytes() -> None:
    marker = b"UNIQUE-MARKER-7f3a"
    box = sealer().seal(marker * 20, "c")
    assert marker not in box


def test_the_verifier_tells_a_right_key_from_a_wrong_one() -> None:
    verifier = sealer().verifier()
    assert sealer().check(verifier)
    assert not sealer(bytes(32)).check(verifier)


def test_the_passphrase_is_normalised_before_derivation() -> None:
    salt, params = new_salt(), KdfParams(n=2**14)
    composed, decomposed = "caf\u00e9 au lait", "cafe\u0301 au lait"
    assert derive_key(composed, salt, params) == derive_key(decomposed, salt, params)
    assert derive_key(composed, salt, params) != derive_key("cafe au lait", salt, params)
    assert derive_key(composed, salt, params) != derive_key(composed, new_salt(), params)


@pytest.mark.parametrize("params", [KdfParams(n=2**10), KdfParams(n=3 * 2**14), KdfParams(r=0), KdfParams(p=99)])
def test_weak_or_absurd_scrypt_parameters_are_refused(params: KdfParams) -> None:
    with pytest.raises(BondlensError, match="scrypt parameters"):
        params.validate()


def test_the_default_key_derivation_is_memory_hard_and_slow_enough() -> None:
    params = KdfParams()
    assert (params.n, params.r, params.p) == (2**17, 8, 1)
    assert params.memory >= 128 * 2**20  # 128 MiB per guess
    start = time.perf_counter()
    derive_key("a passphrase", new_salt(), params)
    assert time.perf_counter() - start > 0.05  # about 0.4 s on the machine of bench/RESULTS.md
