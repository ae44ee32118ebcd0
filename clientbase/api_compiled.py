"""The GraphQL endpoint's short way for queries it has compiled before.

Middleware between the HTTP rules and the session middleware. A request identical to one
the compiled executor answered (same document, operation name and variables, a caller of
the same role: `schema.compiled.operations`), sent with an API key or a user's token, is
answered on a plain asyncpg connection of its own pool: one transaction that signs the
caller in (binding the tenant, so row-level security applies), runs the remembered
statements and puts their JSON into the response, with the rate limit, the cost budget,
the metrics and the key's last use as on the normal path. Per request that skips
Strawberry and SQLAlchemy's session, most of a small query's cost. Anything else, and any
refusal or failure before the answer starts, goes on to the normal path unchanged, which
then answers or explains.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import structlog
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from clientbase.api_idempotency import HEADER as IDEMPOTENCY_HEADER
from clientbase.core.http import api_key_from_headers
from clientbase.core.http_rules import GRAPHQL_RESPONSE, preferred_response_type, read_body
from clientbase.schema.compiled.operations import CompiledOperation, OperationCache, request_key
from clientbase.schema.context import CostBudget
from clientbase.schema.metrics import OPERATION_SECONDS, OPERATIONS, operation_label
from clientbase.services.auth import service as auth
from clientbase.services.auth.principal import Principal
from clientbase.services.auth.user_tokens import (
    TokenError,
    TokenVerifier,
    looks_like_jwt,
    user_principal_on_driver,
)

JSON_TYPE = b"application/json"
GRAPHQL_RESPONSE_TYPE = f"{GRAPHQL_RESPONSE}; charset=utf-8".encode()
Admission = Callable[[Principal], Awaitable[float | None]]
AfterRequest = Callable[[Principal], Awaitable[None]]
# Signs the caller in on an asyncpg connection in a transaction: its principal, or None.
SignIn = Callable[[Any], Awaitable[Principal | None]]

log = structlog.get_logger(__name__)


class CompiledReads:
    def __init__(
        self, app: ASGIApp, *, path: str, operations: OperationCache, max_cost: int,
        admit: Admission, after_request: AfterRequest, verifier: TokenVerifier | None,
    ) -> None:  # fmt: skip
        self.app = app
        self.path = path
        self.operations = operations
        self.max_cost = max_cost
        self.admit = admit
        self.after_request = after_request
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        body, receive = await read_body(receive)
        request = request_key(body)
        # The compiled executor remembers the operation under this key.
        scope.setdefault("state", {})["operation_request"] = request
        known = request is not None and self.operations.knows(request)
        sign_in = self._sign_in(api_key_from_headers(headers)) if known else None
        if sign_in is None or IDEMPOTENCY_HEADER in headers:
            await self.app(scope, receive, send)
            return
        principal = await self._answer(scope, headers, request, sign_in, send)
        if principal is None:
            await self.app(scope, receive, send)
        else:
            await self.after_request(principal)

    def _sign_in(self, secret: str | None) -> SignIn | None:
        """How to sign in the caller of this credential on a connection; None for no
        credential or one the normal path must refuse (it says why)."""
        if secret is None:
            return None
        if auth.is_api_key(secret):
            return lambda connection: auth.authenticate_on_driver(connection, secret)
        if self.verifier is None or not looks_like_jwt(secret):
            return None
        try:
            claims = self.verifier.verify(secret)
        except TokenError:
            return None
        return lambda connection: user_principal_on_driver(connection, claims)

    async def _answer(
        self, scope: Scope, headers: Headers, request: Any, sign_in: SignIn, send: Send
    ) -> Principal | None:
        """The caller, once answered; None (nothing sent) for the normal path to answer."""
        started = time.perf_counter()
        state = scope["app"].state
        try:
            async with state.read_pool.acquire() as connection, connection.transaction():
                principal = await sign_in(connection)
                if principal is None:
                    return None  # the normal path says why
                operation = self.operations.get(request, principal.role.value)
                if operation is None or await self.admit(principal) is not None:
                    return None
                cost = await self._spend(state.cost_budget, principal, operation)
                if cost is None:
                    return None
                data: dict[str, Any] = {}
                for statement in operation.statements:
                    text = await connection.fetchval(statement.compiled.sql, *statement.parameters)
                    data[statement.key] = None if text is None else orjson.Fragment(text)
        except TokenError:  # the token's tenant is unknown: the normal path says so
            return None
        except Exception as exc:  # any failure: the normal path runs it again and reports it
            log.warning("compiled read handed to the normal path", error=repr(exc))
            return None
        body = orjson.dumps({"data": data, "extensions": {"cost": cost}})
        wanted = preferred_response_type(headers.get("accept"))
        content_type = GRAPHQL_RESPONSE_TYPE if wanted == GRAPHQL_RESPONSE else JSON_TYPE
        length = str(len(body)).encode()
        out = [(b"content-length", length), (b"content-type", content_type)]
        await send({"type": "http.response.start", "status": 200, "headers": out})
        await send({"type": "http.response.body", "body": body})
        label = operation_label(operation.name)
        OPERATIONS.labels(label, "query", "ok").inc()
        OPERATION_SECONDS.labels(label, "query").observe(time.perf_counter() - started)
        return principal

    async def _spend(
        self, budget: CostBudget | None, principal: Principal, operation: CompiledOperation
    ) -> dict[str, Any] | None:
        """`extensions.cost` of the answer, or None when the budget refuses it."""
        cost: dict[str, Any] = {"requested": operation.cost, "maximum": self.max_cost}
        if budget is not None:
            verdict = await budget(principal, operation.cost)
            if not verdict.allowed:
                return None
            cost["remaining"] = verdict.remaining
        return cost
