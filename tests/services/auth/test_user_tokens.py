"""JWT verification: the pinned algorithm, required claims, and tampering of every kind."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from clientbase.services.auth.principal import Role
from clientbase.services.auth.user_tokens import TokenError, TokenVerifier, looks_like_jwt

SECRET = "a-test-secret-of-at-least-32-bytes!"
ISSUER, AUDIENCE = "https://id.example", "clientbase"


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"sub": "user-1", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300,
            "tenant": "acme", "role": "editor", "email": "ana@acme.example"}  # fmt: skip
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def hs256() -> TokenVerifier:
    return TokenVerifier(algorithm="HS256", issuer=ISSUER, audience=AUDIENCE, key=SECRET)


def refused(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(TokenError) as error:
        verifier.verify(token)
    return str(error.value)


def test_a_valid_token_gives_tenant_role_and_subject() -> None:
    user = hs256().verify(jwt.encode(claims(), SECRET, algorithm="HS256"))
    assert (user.subject, user.tenant, user.role, user.label) == (
        "user-1", "acme", Role.EDITOR, "ana@acme.example"
    )  # fmt: skip


def test_tampering_is_refused() -> None:
    verifier = hs256()
    assert refused(
        verifier, jwt.encode(claims(), "another-secret-of-32-bytes-or-more", algorithm="HS256")
    ) == ("The token's signature does not verify.")
    unsigned = jwt.encode(claims(), None, algorithm="none")
    assert refused(verifier, unsigned) == "The token's algorithm 'none' is not accepted."
    # A changed payload under the original signature.
    header, _, signature = jwt.encode(claims(), SECRET, algorithm="HS256").split(".")
    forged = base64.urlsafe_b64encode(json.dumps(claims(role="admin")).encode()).rstrip(b"=")
    assert refused(verifier, f"{header}.{forged.decode()}.{signature}") == (
        "The token's signature does not verify."
    )
    assert refused(verifier, "not.a.token") == "The token is malformed."


def test_time_audience_issuer_and_required_claims() -> None:
    verifier = hs256()

    def token(**changes: Any) -> str:
        return jwt.encode(claims(**changes), SECRET, algorithm="HS256")

    now = int(time.time())
    assert refused(verifier, token(exp=now - 60)) == "The token has expired."
    assert refused(verifier, token(nbf=now + 600)) == "The token is not valid yet (nbf)."
    assert refused(verifier, token(aud="another-api")) == (
        "The token is not meant for this API (aud)."
    )
    assert refused(verifier, token(iss="https://evil.example")) == (
        "The token's issuer is not trusted (iss)."
    )
    assert refused(verifier, token(exp=None)) == "The token has no 'exp' claim."
    assert refused(verifier, token(sub=None)) == "The token has no 'sub' claim."
    assert refused(verifier, token(tenant=None)) == "The token has no 'tenant' claim."
    assert refused(verifier, token(role="owner")) == (
        "The token's 'role' claim is not one of reader, editor, admin."
    )
    # Within the leeway an expiry just past still counts.
    assert verifier.verify(token(exp=now - 5)).subject == "user-1"


def test_public_keys_and_algorithm_confusion(tmp_path: Path) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "key.pem").write_bytes(pem)
    verifier = TokenVerifier.from_files(algorithm="RS256", issuer=ISSUER, audience=AUDIENCE,
                                        public_key_file=tmp_path / "key.pem")  # fmt: skip
    assert verifier.verify(jwt.encode(claims(), private, algorithm="RS256")).role is Role.EDITOR
    # HS256 signed with the public key as the secret: the classic confusion attack.
    confused = jwt.encode(claims(), SECRET, algorithm="HS256")
    assert refused(verifier, confused) == "The token's algorithm 'HS256' is not accepted."
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert refused(verifier, jwt.encode(claims(), other, algorithm="RS256")) == (
        "The token's signature does not verify."
    )


def test_jwks_picks_the_key_by_kid(tmp_path: Path) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig"}]}))
    verifier = TokenVerifier.from_files(algorithm="ES256", issuer=ISSUER, audience=AUDIENCE,
                                        jwks_file=tmp_path / "jwks.json")  # fmt: skip
    token = jwt.encode(claims(), private, algorithm="ES256", headers={"kid": "k1"})
    assert verifier.verify(token).subject == "user-1"
    unknown = jwt.encode(claims(), private, algorithm="ES256", headers={"kid": "k2"})
    assert refused(verifier, unknown) == "The token's signing key (kid) is unknown."


def test_configuration_needs_a_key(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="HS256 needs a secret"):
        TokenVerifier.from_files(algorithm="HS256", issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(ValueError, match="RS256 needs a public key file or a JWKS file"):
        TokenVerifier.from_files(algorithm="RS256", issuer=ISSUER, audience=AUDIENCE)


def test_keys_and_tokens_are_told_apart_by_shape() -> None:
    assert looks_like_jwt(jwt.encode(claims(), SECRET, algorithm="HS256"))
    assert not looks_like_jwt("cb_" + "a" * 36)
    assert not looks_like_jwt("cb_a.b.c")
