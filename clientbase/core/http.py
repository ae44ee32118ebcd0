"""Plain ASGI middleware: request ids, and one authenticated database session per request
(or per websocket).

The session middleware opens the session, asks an injected authenticator who the
caller is (core knows nothing of API keys), and rolls back whatever the request
did not commit. It never commits: the mutation is the transaction boundary.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clientbase.core.db import Database

Authenticator = Callable[[AsyncSession, str | None], Awaitable[Any | None]]
AfterRequest = Callable[[Any], Awaitable[None]]
# Seconds the caller must wait (answered 429), or None to let the request through.
Admission = Callable[[Any], Awaitable[float | None]]


class UnauthenticatedError(Exception):
    """Raised by an authenticator to refuse a credential with a reason the caller may read."""


REQUEST_ID_HEADER = "x-request-id"
RETRY_AFTER_SECONDS = 5

log = structlog.get_logger(__name__)


def _unreachable(error: DBAPIError) -> bool:
    """A failure to reach the database, not a bad query: a lost connection, or SQLSTATE
    class 08 (connection exception) or 57P (shutting down, starting up)."""
    state = getattr(error.orig, "sqlstate", None) or ""
    return error.connection_invalidated or state.startswith(("08", "57P"))


def api_key_from_headers(headers: Headers) -> str | None:
    """`Authorization: Bearer <key>` or `X-API-Key: <key>`."""
    authorization = headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return headers.get("x-api-key") or None


async def send_json(send: Send, status: int, body: object, headers: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    raw_headers += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


class RequestIdMiddleware:
    """Takes or makes a request id, binds it to the log context and echoes it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = given if 0 < len(given) <= 64 and given.isprintable() else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            await self.app(scope, receive, send_with_id)


class SessionMiddleware:
    """For protected paths: authenticate the caller, open its session, answer 401 otherwise."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        authenticate: Authenticator,
        protected_prefixes: tuple[str, ...],
        is_public: Callable[[Scope], bool] = lambda scope: False,
        after_request: AfterRequest | None = None,
        admit: Admission | None = None,
    ) -> None:
        self.app = app
        self.authenticate = authenticate
        self.protected_prefixes = protected_prefixes
        self.is_public = is_public
        self.after_request = after_request
        self.admit = admit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] == "websocket" and path.startswith(self.protected_prefixes):
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http" or not path.startswith(self.protected_prefixes):
            await self.app(scope, receive, send)
            return
        if self.is_public(scope):
            await self.app(scope, receive, send)
            return
        database: Database = scope["app"].state.database
        principal = None
        async with database.session() as session:
            reason = "A valid API key is required."
            try:
                principal = await self._authenticate(
                    session, api_key_from_headers(Headers(scope=scope))
                )
            except UnauthenticatedError as exc:
                principal, reason = None, str(exc)
            except (OSError, DBAPIError) as exc:
                if isinstance(exc, DBAPIError) and not _unreachable(exc):
                    raise
                # The database is down or restarting: say so, and when to try again; the
                # pool's pre-ping reconnects by itself once it is back.
                log.warning("database unreachable", error=str(exc))
                await send_json(
                    send,
                    503,
                    {"errors": [{"message": "The database is unavailable; retry shortly.",
                                 "extensions": {"code": "UNAVAILABLE"}}]},
                    {"retry-after": str(RETRY_AFTER_SECONDS)},
                )  # fmt: skip
                return
            if principal is None:
                await send_json(
                    send,
                    401,
                    {"errors": [{"message": reason, "extensions": {"code": "UNAUTHENTICATED"}}]},
                    {"www-authenticate": 'Bearer realm="clientbase"'},
                )
                return
            wait = await self.admit(principal) if self.admit is not None else None
            if wait is not None:
                message = f"Too many requests from this caller; retry in {math.ceil(wait)} s."
                await send_json(
                    send,
                    429,
                    {"errors": [{"message": message, "extensions": {"code": "RATE_LIMITED"}}]},
                    {"retry-after": str(max(1, math.ceil(wait)))},
                )
                return
            state = scope.setdefault("state", {})
            state["session"] = session
            state["principal"] = principal
            await self.app(scope, receive, send)
        if self.after_request is not None:
            await self.after_request(principal)

    async def _authenticate(self, session: AsyncSession, secret: str | None) -> Any | None:
        try:
            return await self.authenticate(session, secret)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            # Sign-in is a request's first statement; the API's pool does not ping at
            # checkout, so a connection whose server restarted fails here, and the engine
            # has dropped every connection of that server: once more, on a fresh one.
            await session.rollback()
            return await self.authenticate(session, secret)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A websocket gets its session for its whole life. A key in the upgrade request's
        headers must be valid; without one, the protocol's `connection_init` brings it."""
        database: Database = scope["app"].state.database
        async with database.session() as session:
            state = scope.setdefault("state", {})
            state["session"] = session
            secret = api_key_from_headers(Headers(scope=scope))
            if secret is not None:
                try:
                    principal = await self._authenticate(session, secret)
                except UnauthenticatedError:
                    principal = None
                # Long-lived: hold no transaction between operations (the tenant stays bound).
                await session.rollback()
                if principal is None:
                    await receive()  # websocket.connect
                    await send({"type": "websocket.close", "code": 4401})  # answered as 403
                    return
                state["principal"] = principal
            await self.app(scope, receive, send)
