"""The typed context every resolver receives: the caller, its session, lock and loaders."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from clientbase.schema.compiled.operations import RequestKey
from clientbase.schema.loaders import Loaders
from clientbase.services.auth.principal import Principal
from clientbase.services.jobs.events import JobEvents
from clientbase.services.jobs.outbox import JobQueue
from clientbase.services.ratelimit import Verdict

AfterCommit = Callable[[], Awaitable[None]]
CostBudget = Callable[[Principal, int], Awaitable[Verdict]]


@dataclass
class IdempotencyClaim:
    """An Idempotency-Key and its request's hash; `claimed` once a mutation committed it."""

    key: str
    request_hash: str
    claimed: bool = False


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket
    session: AsyncSession
    principal: Principal
    # Fields resolve concurrently and one AsyncSession must never run two statements at once.
    session_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loaders: Loaders = field(init=False)
    # Injected by the composition root: resolvers may not import the workers.
    job_queue: JobQueue | None = None
    job_events: JobEvents | None = None
    # Spends an operation's cost from the caller's budget (schema.limits); None: no budget.
    cost_budget: CostBudget | None = None
    # Run by `run_mutation` once its transaction has committed (the outbox), dropped on rollback.
    after_commit: list[AfterCommit] = field(default_factory=list)
    # The request's Idempotency-Key, claimed by its first committed mutation.
    idempotency: IdempotencyClaim | None = None
    # The graphql-transport-ws `connection_init` payload, where a websocket carries its key.
    connection_params: dict[str, Any] | None = None
    # The request as a key of the compiled operations (api_compiled), when it has one, and
    # the cost the limits gave its operation: the compiled path remembers both.
    operation_request: RequestKey | None = None
    query_cost: int | None = None

    def __post_init__(self) -> None:
        self.loaders = Loaders(self)

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.principal.tenant_id
