"""Actors about API keys: recording when a key was last used, off the request path."""

from __future__ import annotations

import uuid
from datetime import datetime

import dramatiq

from clientbase.services.auth import service as auth
from clientbase.workers.broker import broker
from clientbase.workers.resources import databases


@dramatiq.actor(broker=broker, queue_name="default", max_retries=3)
async def record_api_key_use(tenant_id: str, api_key_id: str, used_at: str) -> None:
    """Idempotent: an older or repeated timestamp never moves last_used_at back."""
    async with databases().get().session(uuid.UUID(tenant_id)) as session:
        await auth.record_key_use(session, uuid.UUID(api_key_id), datetime.fromisoformat(used_at))
        await session.commit()
