"""Tenants and API keys: create, authenticate, revoke. Callers own the transaction."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clientbase.core.db import bind_tenant, tenant_bound
from clientbase.models.api_key import ApiKey
from clientbase.models.tenant import Tenant
from clientbase.services.auth import keys, repository
from clientbase.services.auth.principal import Principal, Role

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")
# Tenant settings keys. default_country: ISO 3166-1 alpha-2, the country a phone number
# written without a country code belongs to.
DEFAULT_COUNTRY = "default_country"


class AuthError(ValueError):
    """A tenant or key request that cannot be honoured; the message names the field."""


@dataclass(frozen=True)
class IssuedKey:
    """A key as created: the secret is shown once and never stored."""

    api_key: ApiKey
    secret: str


async def create_tenant(
    session: AsyncSession, slug: str, name: str | None = None, default_country: str | None = None
) -> Tenant:
    if not SLUG_PATTERN.match(slug):
        raise AuthError(f"tenant slug {slug!r}: use 1-63 lower-case letters, digits and hyphens")
    settings = {DEFAULT_COUNTRY: _country(default_country)} if default_country else {}
    if await repository.find_tenant_by_slug(session, slug) is not None:
        raise AuthError(f"tenant slug {slug!r} is taken")
    tenant = Tenant(id=uuid.uuid4(), slug=slug, name=name or slug, settings=settings)
    # Row-level security admits the new tenant row only inside its own tenant scope.
    await bind_tenant(session, tenant.id)
    await repository.add(session, tenant)
    return tenant


def _country(code: str) -> str:
    country = code.strip().upper()
    if not COUNTRY_PATTERN.match(country):
        raise AuthError(f"country {code!r}: use an ISO 3166-1 alpha-2 code such as BR")
    return country


async def default_country(session: AsyncSession, tenant_id: uuid.UUID) -> str | None:
    """The tenant's default country for phone numbers, if it has one."""
    tenant = await repository.get_tenant(session, tenant_id)
    value = tenant.settings.get(DEFAULT_COUNTRY) if tenant is not None else None
    return value if isinstance(value, str) else None


async def set_default_country(session: AsyncSession, tenant: Tenant, country: str | None) -> None:
    """Set (or with None clear) the tenant's default country; numbers already stored stay."""
    settings = {k: v for k, v in tenant.settings.items() if k != DEFAULT_COUNTRY}
    if country:
        settings[DEFAULT_COUNTRY] = _country(country)
    await bind_tenant(session, tenant.id)
    # A new dict: the JSONB column does not track changes made inside the old one.
    tenant.settings = settings
    await session.flush()


async def find_tenant(session: AsyncSession, slug: str) -> Tenant | None:
    return await repository.find_tenant_by_slug(session, slug)


async def create_api_key(
    session: AsyncSession, tenant: Tenant, role: Role, name: str = "api key"
) -> IssuedKey:
    await bind_tenant(session, tenant.id)
    new = keys.generate_key()
    api_key = ApiKey(
        tenant_id=tenant.id,
        name=name,
        prefix=new.display_prefix,
        key_hash=new.key_hash,
        role=role.value,
    )
    await repository.add(session, api_key)
    return IssuedKey(api_key=api_key, secret=new.secret)


async def authenticate(session: AsyncSession, secret: str | None) -> Principal | None:
    """The principal of a valid, unrevoked key; binds the session to its tenant."""
    if not secret or not keys.is_well_formed(secret):
        return None
    principal = _signed_in(await repository.sign_in(session, keys.hash_key(secret)))
    if principal is not None:
        # The sign-in statement has set the tenant of the open transaction already.
        tenant_bound(session, principal.tenant_id)
    return principal


def is_api_key(secret: str) -> bool:
    """The shape of one of our keys (a JWT is not one)."""
    return keys.is_well_formed(secret)


async def authenticate_on_driver(connection: Any, secret: str) -> Principal | None:
    """`authenticate` on an asyncpg connection in an open transaction (the compiled reads'
    own pool): the transaction is bound to the key's tenant when it returns a principal."""
    if not keys.is_well_formed(secret):
        return None
    return _signed_in(await repository.sign_in_on_driver(connection, keys.hash_key(secret)))


def _signed_in(key: Any | None) -> Principal | None:
    """The principal of a key row (a SQLAlchemy row or an asyncpg record), None if revoked."""
    if key is None or key["revoked_at"] is not None:
        return None
    return Principal(
        tenant_id=key["tenant_id"],
        role=Role(key["role"]),
        actor_kind="API_KEY",
        actor_id=str(key["id"]),
        label=f"{key['name']} ({key['prefix']}…)",
        last_used_at=key["last_used_at"],
    )


async def revoke_api_key(session: AsyncSession, key_id: uuid.UUID) -> ApiKey | None:
    api_key = await session.get(ApiKey, key_id)
    if api_key is not None and api_key.revoked_at is None:
        api_key.revoked_at = datetime.now(UTC)
        await session.flush()
    return api_key


async def record_key_use(session: AsyncSession, key_id: uuid.UUID, used_at: datetime) -> bool:
    return await repository.set_last_used(session, key_id, used_at)


async def get_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant | None:
    return await repository.get_tenant(session, tenant_id)


async def list_api_keys(session: AsyncSession) -> list[ApiKey]:
    return await repository.list_keys(session)


async def issue_key_for_caller(
    session: AsyncSession, actor: Principal, role: Role, name: str
) -> IssuedKey:
    """A new key in the caller's tenant (admins only; the resolver checks), audited."""
    from clientbase.services import validation
    from clientbase.services.audit import service as audit
    from clientbase.services.records import collect

    collect(validation.text(name, "name", required=True, max_length=200))
    tenant = await repository.get_tenant(session, actor.tenant_id)
    if tenant is None:
        raise AuthError("the caller's tenant is gone")
    issued = await create_api_key(session, tenant, role, name.strip())
    audit.record(session, actor, "ApiKey.create", "ApiKey", issued.api_key.id,
                 {"name": {"before": None, "after": issued.api_key.name},
                  "role": {"before": None, "after": role.value}})  # fmt: skip
    return issued


async def revoke_key_for_caller(
    session: AsyncSession, actor: Principal, key_id: uuid.UUID
) -> ApiKey:
    from clientbase.services.audit import service as audit
    from clientbase.services.errors import ErrorCode, problem

    api_key = await revoke_api_key(session, key_id)
    if api_key is None:
        raise problem("id", ErrorCode.NOT_FOUND, "No API key with this id.")
    audit.record(session, actor, "ApiKey.revoke", "ApiKey", api_key.id,
                 {"revoked_at": {"before": None, "after": str(api_key.revoked_at)}})  # fmt: skip
    return api_key
