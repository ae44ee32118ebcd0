"""The Idempotency-Key header of POST /graphql: a retried mutation gets its first answer.

A request with the header is answered from the key's stored answer when one exists (the
same request sent again), refused when the key was used for another request (422), and
told to retry when its first attempt committed but its answer is not stored yet (409
IDEMPOTENCY_IN_PROGRESS), or, once that attempt can no longer be running, that it was
applied and its answer lost with its process (409 IDEMPOTENCY_ANSWER_LOST: read the records).
Otherwise it runs; if one of its mutations committed, the answer is stored under the key.
"""

from __future__ import annotations

import json
from typing import Any

import structlog
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clientbase.core.db import Database
from clientbase.core.http import send_json
from clientbase.core.http_rules import read_body
from clientbase.schema.context import IdempotencyClaim
from clientbase.services import idempotency

HEADER = "idempotency-key"

log = structlog.get_logger(__name__)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


class IdempotencyMiddleware:
    """Wraps the GraphQL endpoint, inside the session middleware (it needs the caller)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = Headers(scope=scope).get(HEADER)
        state = scope.get("state", {})
        if scope["type"] != "http" or scope["method"] != "POST" or key is None:
            await self.app(scope, receive, send)
            return
        if not key or len(key) > idempotency.MAX_KEY_CHARS or not key.isprintable():
            message = (
                f"Idempotency-Key must be 1 to {idempotency.MAX_KEY_CHARS} printable characters."
            )
            await send_json(send, 400, _error("BAD_REQUEST", message), {})
            return
        # Its own replay below: the body, then a disconnect, never the client again.
        body, _ = await read_body(receive)
        digest = idempotency.request_hash(body)
        tenant_id = state["principal"].tenant_id
        earlier = await idempotency.earlier(state["session"], tenant_id, key)
        if earlier is not None:
            await self._answer_again(send, earlier, digest)
            return
        claim = IdempotencyClaim(key, digest)
        state["idempotency"] = claim
        sent: list[bytes] = []
        status = 0
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return {"type": "http.disconnect"}
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def keep(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent.append(message.get("body", b""))
            await send(message)

        await self.app(scope, replay, keep)
        if claim.claimed and status == 200:
            await self._remember(scope, claim, tenant_id, b"".join(sent))

    async def _answer_again(self, send: Send, earlier: idempotency.Earlier, digest: str) -> None:
        if earlier.request_hash != digest:
            message = "This Idempotency-Key was used for another request in the last 24 hours."
            await send_json(send, 422, _error("IDEMPOTENCY_KEY_REUSED", message), {})
        elif earlier.answer_lost:
            message = ("The first request with this key was applied, but its answer was lost; "
                       "read the records it changed to see the result.")  # fmt: skip
            await send_json(send, 409, _error("IDEMPOTENCY_ANSWER_LOST", message), {})
        elif earlier.response is None:
            message = "The first request with this key was applied; its answer is not ready yet."
            await send_json(send, 409, _error("IDEMPOTENCY_IN_PROGRESS", message),
                            {"retry-after": "1"})  # fmt: skip
        else:
            await send_json(send, 200, earlier.response, {"idempotent-replayed": "true"})

    async def _remember(self, scope: Scope, claim: IdempotencyClaim, tenant_id: Any,
                        body: bytes) -> None:  # fmt: skip
        database: Database = scope["app"].state.database
        try:
            response = json.loads(body)
            async with database.session(tenant_id) as session:
                await idempotency.remember(session, tenant_id, claim.key, claim.request_hash,
                                           response)  # fmt: skip
                await session.commit()
        except Exception:
            # The effect is committed; a retry is then told so (409) instead of its answer.
            log.exception("idempotent answer not stored", key=claim.key)
