"""Signing in with one statement: a function that finds an API key by its hash and, for a
key not revoked, binds the transaction to the key's tenant; and one that binds it to the
tenant a user's token names (by id or slug), if it exists.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-21 10:00:00.000000+00:00

Before this, a request's sign-in took four statements with a key (set the lookup setting,
read the key, clear the setting, set the tenant) and two or three with a token. The
functions run the same steps under the same row-level security policies (SECURITY INVOKER:
the caller's role; `api_key_lookup`, `tenant_lookup`, `tenant_self`), so they grant
nothing the statements did not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTIONS = ("api_key_sign_in(text)", "tenant_sign_in(uuid, text)")


def _app_role() -> str:
    config = op.get_context().config
    role = config.attributes.get("app_role") if config is not None else None
    if not role:
        from clientbase.core.config import get_settings

        role = get_settings().app_role
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", role):
        raise ValueError(f"app_role must be a plain SQL identifier, got {role!r}")
    return '"' + role + '"'


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION api_key_sign_in(hash text) RETURNS SETOF api_key
        LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
        DECLARE
            found api_key;
        BEGIN
            PERFORM set_config('app.api_key_hash', hash, true);
            SELECT * INTO found FROM api_key WHERE key_hash = hash;
            PERFORM set_config('app.api_key_hash', '', true);
            IF found.id IS NULL THEN
                RETURN;
            END IF;
            IF found.revoked_at IS NULL THEN
                PERFORM set_config('app.tenant_id', found.tenant_id::text, true);
            END IF;
            RETURN NEXT found;
        END $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION tenant_sign_in(by_id uuid, by_slug text) RETURNS uuid
        LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
        DECLARE
            found uuid;
        BEGIN
            IF by_id IS NOT NULL THEN
                PERFORM set_config('app.tenant_id', by_id::text, true);
                SELECT id INTO found FROM tenant WHERE id = by_id;
            ELSE
                PERFORM set_config('app.tenant_slug', by_slug, true);
                SELECT id INTO found FROM tenant WHERE slug = by_slug;
                PERFORM set_config('app.tenant_slug', '', true);
            END IF;
            PERFORM set_config('app.tenant_id', coalesce(found::text, ''), true);
            RETURN found;
        END $$
        """
    )
    for function in FUNCTIONS:
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {_app_role()}")


def downgrade() -> None:
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
