"""API key secrets: shape, checksum, hashing."""

from __future__ import annotations

import hashlib

from clientbase.services.auth import keys


def test_generated_keys_are_well_formed_and_distinct() -> None:
    generated = [keys.generate_key() for _ in range(200)]
    assert len({k.secret for k in generated}) == 200
    for key in generated:
        assert key.secret.startswith("cb_")
        assert len(key.secret) == keys.KEY_LENGTH
        assert keys.is_well_formed(key.secret)
        assert key.key_hash == hashlib.sha256(key.secret.encode()).hexdigest()
        assert key.secret.startswith(key.display_prefix)
        assert key.display_prefix != key.secret


def test_any_single_character_change_fails_the_checksum() -> None:
    secret = keys.generate_key().secret
    for position in range(len(keys.PREFIX), len(secret)):
        replacement = "a" if secret[position] != "a" else "b"
        altered = secret[:position] + replacement + secret[position + 1 :]
        assert not keys.is_well_formed(altered), position


def test_other_shapes_are_refused() -> None:
    secret = keys.generate_key().secret
    for candidate in (
        "",
        "cb_",
        secret[:-1],
        secret + "x",
        "gh_" + secret[3:],
        secret.replace(secret[5], "-"),
    ):
        assert not keys.is_well_formed(candidate), candidate
