"""`clientbase tenant ...` and `clientbase apikey ...`: tenant and API key administration."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from clientbase.cli_support import console, database_settings, errors, fail, run_in_session

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from clientbase.models.api_key import ApiKey
    from clientbase.services.auth.service import IssuedKey

tenant_app = typer.Typer(help="Manage tenants.", no_args_is_help=True)
apikey_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)


@tenant_app.command("create")
def tenant_create(
    slug: str,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    country: Annotated[
        str | None, typer.Option(help="Default country of phone numbers (ISO code, e.g. BR).")
    ] = None,
) -> None:
    """Create a tenant."""
    from clientbase.services.auth import service as auth

    with database_settings() as settings:
        try:
            tenant = run_in_session(
                settings, lambda s: auth.create_tenant(s, slug, name, default_country=country)
            )
        except auth.AuthError as exc:
            raise fail(str(exc)) from exc
    console.print(f"tenant {tenant.slug} created ({tenant.id})")


@tenant_app.command("duplicates")
def tenant_duplicates(
    slug: str,
    review: Annotated[float, typer.Option(help="Score from which a match is shown.")] = 0.5,
    likely: Annotated[float, typer.Option(help="Score from which a match is likely.")] = 0.95,
    on_review: Annotated[str, typer.Option(help="ALLOW, WARN or BLOCK a write in the review "
                                                "band.")] = "ALLOW",
    on_likely: Annotated[str, typer.Option(help="ALLOW, WARN or BLOCK a write in the likely "
                                                "band.")] = "WARN",
) -> None:  # fmt: skip
    """Set a tenant's duplicate thresholds, and the rule a create or update meets per band."""
    from clientbase.core.db import bind_tenant
    from clientbase.services.auth import service as auth
    from clientbase.services.dedupe import settings as dedupe
    from clientbase.services.errors import DomainError

    try:
        chosen = dedupe.DuplicateSettings(review, likely, dedupe.DuplicateRule(on_review.upper()),
                                          dedupe.DuplicateRule(on_likely.upper()))  # fmt: skip
    except ValueError as exc:
        raise fail("--on-review and --on-likely are ALLOW, WARN or BLOCK") from exc

    async def _set(session: AsyncSession) -> None:
        found = await auth.find_tenant(session, slug)
        if found is None:
            raise auth.AuthError(f"no tenant {slug!r}")
        await bind_tenant(session, found.id)
        await dedupe.set_duplicate_settings(session, found, chosen)

    with database_settings() as settings:
        try:
            run_in_session(settings, _set)
        except (auth.AuthError, DomainError) as exc:
            raise fail(str(exc)) from exc
    console.print(f"tenant {slug}: review >= {review}, likely >= {likely}, "
                  f"{chosen.on_review.value} / {chosen.on_likely.value}")  # fmt: skip


@apikey_app.command("create")
def apikey_create(
    tenant: Annotated[str, typer.Option(help="Tenant slug.")],
    role: Annotated[str, typer.Option(help="reader, editor or admin.")] = "reader",
    name: Annotated[str, typer.Option(help="What the key is for.")] = "api key",
) -> None:
    """Create an API key and print it once; only its hash is stored."""
    from clientbase.services.auth import service as auth
    from clientbase.services.auth.principal import Role

    try:
        chosen = Role(role)
    except ValueError as exc:
        raise fail(f"--role must be one of {', '.join(r.value for r in Role)}") from exc

    async def _create(session: AsyncSession) -> IssuedKey:
        found = await auth.find_tenant(session, tenant)
        if found is None:
            raise auth.AuthError(f"no tenant {tenant!r}")
        return await auth.create_api_key(session, found, chosen, name)

    with database_settings() as settings:
        try:
            issued = run_in_session(settings, _create)
        except auth.AuthError as exc:
            raise fail(str(exc)) from exc
    errors.print(f"API key {issued.api_key.id} ({chosen.value}) for {tenant}; shown once:")
    console.print(issued.secret)


@apikey_app.command("list")
def apikey_list(tenant: Annotated[str, typer.Option(help="Tenant slug.")]) -> None:
    """List a tenant's API keys (never their secrets)."""
    from clientbase.core.db import bind_tenant
    from clientbase.services.auth import service as auth

    async def _list(session: AsyncSession) -> list[ApiKey]:
        found = await auth.find_tenant(session, tenant)
        if found is None:
            raise auth.AuthError(f"no tenant {tenant!r}")
        await bind_tenant(session, found.id)
        return list(await auth.list_api_keys(session))

    with database_settings() as settings:
        try:
            keys = run_in_session(settings, _list)
        except auth.AuthError as exc:
            raise fail(str(exc)) from exc
    table = Table("id", "name", "prefix", "role", "last used", "revoked")
    for key in keys:
        table.add_row(str(key.id), key.name, key.prefix, key.role,
                      str(key.last_used_at or ""), str(key.revoked_at or ""))  # fmt: skip
    console.print(table)


@apikey_app.command("revoke")
def apikey_revoke(
    tenant: Annotated[str, typer.Option(help="Tenant slug.")], key_id: uuid.UUID
) -> None:
    """Revoke an API key at once."""
    from clientbase.core.db import bind_tenant
    from clientbase.services.auth import service as auth

    async def _revoke(session: AsyncSession) -> ApiKey | None:
        found = await auth.find_tenant(session, tenant)
        if found is None:
            raise auth.AuthError(f"no tenant {tenant!r}")
        await bind_tenant(session, found.id)
        return await auth.revoke_api_key(session, key_id)

    with database_settings() as settings:
        try:
            revoked = run_in_session(settings, _revoke)
        except auth.AuthError as exc:
            raise fail(str(exc)) from exc
    if revoked is None:
        raise fail(f"no API key {key_id} in tenant {tenant}")
    console.print(f"revoked {key_id}")
