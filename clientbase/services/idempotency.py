"""Idempotency keys of partner mutations: one effect per key, the first answer on retry.

The key is claimed inside the mutation's own transaction, so it commits if and only if the
effect does; a retry of a committed request gets the stored answer. The answer is stored
just after it is made: a retry that comes between the two (the API died in that moment)
is told the request was applied, never applied twice: "in progress" while its request could
still be running, "answer lost" once no request can be (ANSWER_WAIT_SECONDS). A key lives
24 hours; reused with a different request within them, it is refused.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

MAX_KEY_CHARS = 200
# How long a key holds, as an SQL interval (a constant, never input).
LIFETIME = "interval '24 hours'"
# Longer than any request lives (statement timeout 30 s, then the answer is written): a key
# claimed this long ago with no answer lost it with its process.
ANSWER_WAIT_SECONDS = 120


@dataclass(frozen=True)
class Earlier:
    """A committed request with this key: its hash, and its answer once stored."""

    request_hash: str
    response: dict[str, Any] | None
    age_seconds: float = 0.0

    @property
    def answer_lost(self) -> bool:
        """Applied, with no answer stored, and too long ago for its request to be running."""
        return self.response is None and self.age_seconds > ANSWER_WAIT_SECONDS


def request_hash(body: bytes) -> str:
    """The request as sent (document, operation name, variables), key order ignored."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.decode("utf-8", "replace")
    return hashlib.sha256(canonical.encode()).hexdigest()


async def earlier(session: AsyncSession, tenant_id: uuid.UUID, key: str) -> Earlier | None:
    """The live (under 24 hours) request committed with `key`, if any."""
    row = (await session.execute(text(
        "SELECT request_hash, response, extract(epoch FROM now() - created_at) AS age "  # noqa: S608
        "FROM idempotency_key WHERE tenant_id = :tenant "
        f"AND key = :key AND created_at > now() - {LIFETIME}"
    ), {"tenant": tenant_id, "key": key})).first()  # fmt: skip
    if row is None:
        return None
    return Earlier(row.request_hash, row.response, float(row.age))


async def claim(session: AsyncSession, tenant_id: uuid.UUID, key: str, digest: str) -> bool:
    """Take `key` in the session's transaction; False if a live claim holds it (a request
    with the same key committed meanwhile). An expired claim is taken over."""
    claimed = (await session.execute(text(
        "INSERT INTO idempotency_key AS k (tenant_id, key, request_hash) "  # noqa: S608
        "VALUES (:tenant, :key, :digest) ON CONFLICT (tenant_id, key) DO UPDATE "
        "SET request_hash = excluded.request_hash, response = NULL, created_at = now() "
        f"WHERE k.created_at <= now() - {LIFETIME} RETURNING 1"
    ), {"tenant": tenant_id, "key": key, "digest": digest})).first()  # fmt: skip
    return claimed is not None


async def remember(
    session: AsyncSession, tenant_id: uuid.UUID, key: str, digest: str, response: dict[str, Any]
) -> None:
    """Store the answer of the request that claimed `key` (nothing if none did)."""
    await session.execute(text(
        "UPDATE idempotency_key SET response = CAST(:response AS jsonb) WHERE tenant_id = "
        ":tenant AND key = :key AND request_hash = :digest AND response IS NULL"
    ), {"tenant": tenant_id, "key": key, "digest": digest,
        "response": json.dumps(response)})  # fmt: skip
