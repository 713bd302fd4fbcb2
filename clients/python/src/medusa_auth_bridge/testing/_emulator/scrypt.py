"""scrypt-kdf v2 password hashes, as Medusa v1 stores them in ``Customer.password_hash``.

# medusajs/medusa (v1.x) packages/medusa/src/services/customer.ts (hashPassword_): base64 of a
# 96-byte blob
#   0-5 "scrypt", 6 version 0, 7 logN, 8-11 r (u32 BE), 12-15 p (u32 BE), 16-47 salt,
#   48-63 first 16 bytes of SHA-256(bytes 0-47),
#   64-95 HMAC-SHA256(key = dk[32:64], data = bytes 0-63), dk = scrypt(pw, salt, N=2^logN, r, p, 64)
Medusa hashes with logN=1, r=1, p=1 (``CustomerService.hashPassword_``), so verifying is nearly free.
"""

import base64
import binascii
import hashlib
import hmac
import os
import struct

from .jsutil import js_utf8

_MAGIC = b"scrypt"
_KEY_LENGTH = 96
# A stored hash with a larger cost than this is treated as invalid rather than allowed to pin a
# CPU for seconds; Medusa itself only ever writes logN=1.
_MAX_LOG_N = 20


def hash_password(password, log_n=1, r=1, p=1, salt=None):
    """Return the base64 scrypt-kdf blob for ``password`` (Medusa's parameters by default)."""
    salt = os.urandom(32) if salt is None else salt
    prefix48 = _MAGIC + bytes([0, log_n]) + struct.pack(">II", r, p) + salt
    checksum = hashlib.sha256(prefix48).digest()[:16]
    prefix64 = prefix48 + checksum
    dk = _derive(js_utf8(password), salt, log_n, r, p)
    mac = hmac.new(dk[32:], prefix64, hashlib.sha256).digest()
    return base64.b64encode(prefix64 + mac).decode("ascii")


def verify_password(password_hash, password):
    """True when ``password`` matches; any malformed input is a plain False.

    # medusajs/medusa (v1.x) packages/medusa/src/services/auth.ts (authenticateCustomer): every
    # exception in authenticateCustomer (bad hash,
    # non-string password) is swallowed and becomes an authentication failure.
    """
    if not isinstance(password_hash, str) or not isinstance(password, str):
        return False
    try:
        blob = base64.b64decode(password_hash)
    except (binascii.Error, ValueError):
        return False
    if len(blob) != _KEY_LENGTH or blob[:6] != _MAGIC or blob[6] != 0:
        return False
    log_n = blob[7]
    r, p = struct.unpack(">II", blob[8:16])
    if not (1 <= log_n <= _MAX_LOG_N) or r < 1 or p < 1 or r * p >= 1 << 30:
        return False
    if hashlib.sha256(blob[:48]).digest()[:16] != blob[48:64]:
        return False
    try:
        dk = _derive(js_utf8(password), blob[16:48], log_n, r, p)
    except (ValueError, MemoryError):
        return False
    expected = hmac.new(dk[32:], blob[:64], hashlib.sha256).digest()
    return hmac.compare_digest(expected, blob[64:])


def _derive(password_bytes, salt, log_n, r, p):
    n = 1 << log_n
    maxmem = 128 * n * r * (p + 2) + (1 << 20)
    return hashlib.scrypt(password_bytes, salt=salt, n=n, r=r, p=p, dklen=64, maxmem=maxmem)
