"""The typed context every resolver receives: the caller, its session, lock and loaders."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from clientbase.schema.loaders import Loaders
from clientbase.services.auth.principal import Principal


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket
    session: AsyncSession
    principal: Principal
    # Fields resolve concurrently and one AsyncSession must never run two statements at once.
    session_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self)

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.principal.tenant_id
