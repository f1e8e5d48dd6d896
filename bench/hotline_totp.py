"""RFC 6238 codes for the benchmarks' operator sign-in (django-otp TOTPDevice, hex key)."""

import hashlib
import hmac
import struct
import time


def totp(key_hex: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    counter = int((at or time.time()) // step)
    mac = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)
