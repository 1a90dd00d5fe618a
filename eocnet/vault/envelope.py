"""AES-256-GCM envelope encryption (``cryptography``).

- Each notice has its own random 256-bit data key (DEK); each person's fields are one
  AES-GCM ciphertext under it, bound by the associated data to the notice and the
  person, so a ciphertext cannot be moved to another record unnoticed.
- The DEK is stored only wrapped (AES-GCM) by the master key (KEK) named by its id.
- Deleting a notice's personal data destroys the wrapped DEK and the ciphertexts
  (crypto-shredding): a backup taken earlier holds ciphertext whose key is gone
  once the backup's own copy of the wrapped key expires with it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEY_BYTES = 32


class VaultError(Exception):
    """A key is missing or wrong, or a ciphertext was altered."""


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    key: bytes

    @classmethod
    def from_base64(cls, text: str) -> MasterKey:
        try:
            key = base64.b64decode(text.strip(), validate=True)
        except (ValueError, TypeError):
            raise VaultError("the master key is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise VaultError("the master key must be 32 bytes (256 bits), base64-encoded")
        return cls(hashlib.sha256(b"eocnet-kek" + key).hexdigest()[:16], key)


def new_master_key() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError):
        raise VaultError("ciphertext does not open with this key (altered or wrong key)") from None


def wrap(master: MasterKey, data_key: bytes, notice_id: int) -> bytes:
    return _seal(master.key, data_key, f"dek:{notice_id}".encode())


def unwrap(master: MasterKey, wrapped: bytes, notice_id: int) -> bytes:
    return _open(master.key, wrapped, f"dek:{notice_id}".encode())


def encrypt_fields(
    data_key: bytes, notice_id: int, person_id: int, fields: dict[str, Any]
) -> bytes:
    plaintext = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()
    return _seal(data_key, plaintext, f"person:{notice_id}:{person_id}".encode())


def decrypt_fields(
    data_key: bytes, notice_id: int, person_id: int, sealed: bytes
) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        _open(data_key, sealed, f"person:{notice_id}:{person_id}".encode())
    )
    return data
