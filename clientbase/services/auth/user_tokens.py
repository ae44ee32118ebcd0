"""SPA users: a JWT from the identity provider, verified with one server-chosen algorithm.

The algorithm is pinned by configuration, never taken from the token (so `none` and
HS256-with-a-public-key are refused); `exp`, `iss`, `aud` and `sub` are required, `nbf`
is checked when present. Its claims name the tenant (slug or id) and the role.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.core.db import tenant_bound
from clientbase.services.auth import keys, repository
from clientbase.services.auth.principal import Principal, Role

USER = "USER"
REQUIRED_CLAIMS = ("exp", "iss", "aud", "sub")


class TokenError(ValueError):
    """Why a token is refused, in words fit for the caller."""


@dataclass(frozen=True)
class UserClaims:
    subject: str
    tenant: str
    role: Role
    label: str


def looks_like_jwt(credential: str) -> bool:
    """Three base64url segments; API keys (`cb_...`) never have dots."""
    return not credential.startswith(keys.PREFIX) and credential.count(".") == 2


class TokenVerifier:
    def __init__(
        self,
        *,
        algorithm: str,
        issuer: str,
        audience: str,
        key: str | bytes | None = None,
        jwks: dict[str, Any] | None = None,
        tenant_claim: str = "tenant",
        role_claim: str = "role",
        leeway_seconds: int = 30,
    ) -> None:
        if (key is None) == (jwks is None):
            raise ValueError("give exactly one of a key and a JWKS document")
        self.algorithm = algorithm
        self.issuer = issuer
        self.audience = audience
        self.key = key
        self.jwks = jwt.PyJWKSet.from_dict(jwks) if jwks is not None else None
        self.tenant_claim = tenant_claim
        self.role_claim = role_claim
        self.leeway = leeway_seconds

    @classmethod
    def from_files(
        cls,
        *,
        algorithm: str,
        issuer: str,
        audience: str,
        secret: str | None = None,
        public_key_file: Path | None = None,
        jwks_file: Path | None = None,
        **options: Any,
    ) -> TokenVerifier:
        if algorithm == "HS256":
            if not secret:
                raise ValueError("HS256 needs a secret")
            return cls(algorithm=algorithm, issuer=issuer, audience=audience, key=secret, **options)
        if public_key_file is not None:
            key = public_key_file.read_text()
            return cls(algorithm=algorithm, issuer=issuer, audience=audience, key=key, **options)
        if jwks_file is not None:
            jwks = json.loads(jwks_file.read_text())
            return cls(algorithm=algorithm, issuer=issuer, audience=audience, jwks=jwks, **options)
        raise ValueError(f"{algorithm} needs a public key file or a JWKS file")

    def verify(self, token: str) -> UserClaims:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError as exc:
            raise TokenError("The token is malformed.") from exc
        if header.get("alg") != self.algorithm:
            raise TokenError(f"The token's algorithm {header.get('alg')!r} is not accepted.")
        try:
            claims = jwt.decode(
                token,
                self._key_for(header),
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("The token has expired.") from exc
        except jwt.ImmatureSignatureError as exc:
            raise TokenError("The token is not valid yet (nbf).") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenError("The token is not meant for this API (aud).") from exc
        except jwt.InvalidIssuerError as exc:
            raise TokenError("The token's issuer is not trusted (iss).") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise TokenError(f"The token has no {exc.claim!r} claim.") from exc
        except jwt.InvalidSignatureError as exc:
            raise TokenError("The token's signature does not verify.") from exc
        except jwt.InvalidTokenError as exc:
            raise TokenError("The token is invalid.") from exc
        return self._claims(claims)

    def _key_for(self, header: dict[str, Any]) -> Any:
        if self.jwks is None:
            return self.key
        kid = header.get("kid")
        for candidate in self.jwks.keys:
            if candidate.key_id == kid:
                return candidate
        raise TokenError("The token's signing key (kid) is unknown.")

    def _claims(self, claims: dict[str, Any]) -> UserClaims:
        tenant = claims.get(self.tenant_claim)
        if not isinstance(tenant, str) or not tenant:
            raise TokenError(f"The token has no {self.tenant_claim!r} claim.")
        try:
            role = Role(str(claims.get(self.role_claim, "")).lower())
        except ValueError as exc:
            raise TokenError(
                f"The token's {self.role_claim!r} claim is not one of reader, editor, admin."
            ) from exc
        subject = str(claims["sub"])
        label = next((str(claims[n]) for n in ("name", "email") if claims.get(n)), subject)
        return UserClaims(subject=subject, tenant=tenant, role=role, label=label)


async def user_principal(session: AsyncSession, claims: UserClaims) -> Principal:
    """The principal of a verified user; binds the session to its tenant."""
    tenant_id = await repository.tenant_sign_in(session, *_tenant_claim(claims))
    if tenant_id is None:
        raise TokenError("The token's tenant is unknown.")
    # The sign-in statement has set the tenant of the open transaction already.
    tenant_bound(session, tenant_id)
    return _user(claims, tenant_id)


async def user_principal_on_driver(connection: Any, claims: UserClaims) -> Principal:
    """`user_principal` on an asyncpg connection in an open transaction, which it binds to
    the user's tenant."""
    tenant_id = await repository.tenant_sign_in_on_driver(connection, *_tenant_claim(claims))
    if tenant_id is None:
        raise TokenError("The token's tenant is unknown.")
    return _user(claims, tenant_id)


def _tenant_claim(claims: UserClaims) -> tuple[uuid.UUID | None, str | None]:
    """The tenant claim as (id, None) when it reads as a UUID, else (None, slug)."""
    try:
        return uuid.UUID(claims.tenant), None
    except ValueError:
        return None, claims.tenant


def _user(claims: UserClaims, tenant_id: uuid.UUID) -> Principal:
    return Principal(
        tenant_id=tenant_id,
        role=claims.role,
        actor_kind=USER,
        actor_id=claims.subject,
        label=claims.label,
    )
