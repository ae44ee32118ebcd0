"""The typed context every resolver receives: the caller, its session and the session lock."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from clientbase.services.auth.principal import Principal


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket
    session: AsyncSession
    principal: Principal
    # Fields resolve concurrently and one AsyncSession must never run two statements at once.
    session_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.principal.tenant_id
