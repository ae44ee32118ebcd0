"""API key secrets: `cb_` + 30 random base62 characters + a 6-character CRC32 checksum.

The prefix makes leaked keys easy to find by secret scanners; the checksum lets
a mistyped or made-up key be refused without a database lookup. Only the SHA-256
of a key is ever stored.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import zlib
from dataclasses import dataclass

PREFIX = "cb_"
ALPHABET = string.digits + string.ascii_letters
RANDOM_LENGTH = 30
CHECKSUM_LENGTH = 6
KEY_LENGTH = len(PREFIX) + RANDOM_LENGTH + CHECKSUM_LENGTH
DISPLAY_PREFIX_LENGTH = len(PREFIX) + 6


@dataclass(frozen=True)
class NewKey:
    secret: str
    display_prefix: str
    key_hash: str


def _base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits)).rjust(width, "0")


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), CHECKSUM_LENGTH)


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def generate_key() -> NewKey:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    secret = PREFIX + body + _checksum(body)
    return NewKey(
        secret=secret, display_prefix=secret[:DISPLAY_PREFIX_LENGTH], key_hash=hash_key(secret)
    )


def is_well_formed(secret: str) -> bool:
    """True when the key has our shape and its checksum matches."""
    if len(secret) != KEY_LENGTH or not secret.startswith(PREFIX):
        return False
    body = secret[len(PREFIX) : len(PREFIX) + RANDOM_LENGTH]
    if any(ch not in ALPHABET for ch in body):
        return False
    return secrets.compare_digest(secret[-CHECKSUM_LENGTH:], _checksum(body))
