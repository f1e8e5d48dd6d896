"""国密 primitives behind one small interface: SM3 digests, SM4-GCM sealing, blind indexes.

Personal data (ID and phone numbers) is stored sealed with SM4-GCM and found by exact
match through an HMAC-SM3 blind index; it is shown masked unless a permitted user
states a reason (see ``tongzheng.core.actions.reveal_personal_data``).
"""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

NONCE_BYTES = 12
TAG_BYTES = 16


# hashlib.new looks the algorithm up by name on every call; a copy of an empty SM3 object
# is half the cost (the status lookup and the hotline track hash a code per request).
_EMPTY_SM3 = hashlib.new("sm3")


def sm3_hex(data: bytes) -> str:
    digest = _EMPTY_SM3.copy()
    digest.update(data)
    return digest.hexdigest()


@cache
def _key(hex_key: str) -> bytes:
    key = bytes.fromhex(hex_key)
    if len(key) != 16:
        raise ValueError("SM4 keys are 16 bytes (32 hex digits)")
    return key


def seal(plaintext: str) -> str:
    """SM4-GCM encrypt; returns base64(nonce + ciphertext + tag)."""
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(_key(settings.DATA_KEY)), modes.GCM(nonce)).encryptor()
    ciphertext = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return base64.b64encode(nonce + ciphertext + encryptor.tag).decode()


def unseal(token: str) -> str:
    raw = base64.b64decode(token)
    nonce, ciphertext, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(_key(settings.DATA_KEY)), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(ciphertext) + decryptor.finalize()).decode()


def blind_index(value: str) -> str:
    """HMAC-SM3 of the normalised value: equal values match, the value is not recoverable."""
    normalised = value.strip().upper().encode()
    return hmac.new(_key(settings.INDEX_KEY), normalised, "sm3").hexdigest()


def mask(value: str, keep_start: int = 3, keep_end: int = 4) -> str:
    """110***********1234 — the first and last characters kept, the rest starred."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
