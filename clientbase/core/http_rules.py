"""HTTP rules of the GraphQL endpoint and uploads, before any caller is looked up.

GraphQL takes JSON POSTs only (so no mutation ever runs over GET, and a cross-site HTML
form cannot post to it), with a bounded body read in full here. Other protected paths
accept form-encodable bodies (uploads) only with a custom header, which no cross-site
form can send without a CORS preflight.
"""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from clientbase.core.http import send_json

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
# Content types a browser sends cross-site without a preflight.
SIMPLE_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
PREFLIGHT_HEADERS = ("x-requested-with", "apollo-require-preflight")


def media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def preferred_response_type(accept: str | None) -> str | None:
    """`application/graphql-response+json` or `application/json` as the Accept header ranks
    them (JSON when it is absent or says */*); None when it accepts neither."""
    if not accept:
        return JSON
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        name, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        name = name.lower()
        if quality <= 0:
            continue
        if name == GRAPHQL_RESPONSE:
            ranked.append((quality, -position, GRAPHQL_RESPONSE))
        elif name in (JSON, "application/*", "*/*"):
            ranked.append((quality, -position, JSON))
    return max(ranked)[2] if ranked else None


def _error(code: str, message: str) -> dict[str, object]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


class GraphQLHttpRules:
    """For `graphql_path`: POST with a JSON body of at most `max_body_bytes` (405, 415, 413,
    406 otherwise), except the GraphiQL page when `ide_enabled`. For `form_prefixes`: a
    form-encodable POST must carry a preflight header (403)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        graphql_path: str,
        max_body_bytes: int,
        ide_enabled: bool,
        form_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.graphql_path = graphql_path
        self.max_body_bytes = max_body_bytes
        self.ide_enabled = ide_enabled
        self.form_prefixes = form_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        headers = Headers(scope=scope)
        if path == self.graphql_path:
            await self._graphql(scope, receive, send, headers)
            return
        if path.startswith(self.form_prefixes) and scope["method"] == "POST":
            content_type = media_type(headers.get("content-type", ""))
            if content_type in SIMPLE_CONTENT_TYPES and not _has_preflight_header(headers):
                await send_json(send, 403, _error("CSRF", _preflight_message(content_type)), {})
                return
        await self.app(scope, receive, send)

    async def _graphql(self, scope: Scope, receive: Receive, send: Send, headers: Headers) -> None:
        method = scope["method"]
        if method == "GET" and self.ide_enabled and "text/html" in headers.get("accept", ""):
            await self.app(scope, receive, send)  # the GraphiQL page; it runs nothing
            return
        if method != "POST":
            message = "Send GraphQL operations as POST with a JSON body; GET runs nothing here."
            await send_json(send, 405, _error("METHOD_NOT_ALLOWED", message), {"allow": "POST"})
            return
        content_type = media_type(headers.get("content-type", ""))
        if content_type != JSON:
            message = f"Content-Type {content_type or '(none)'} is not supported; use {JSON}."
            await send_json(send, 415, _error("UNSUPPORTED_MEDIA_TYPE", message), {})
            return
        if preferred_response_type(headers.get("accept")) is None:
            message = f"This endpoint answers {GRAPHQL_RESPONSE} or {JSON}."
            await send_json(send, 406, _error("NOT_ACCEPTABLE", message), {})
            return
        body = await self._read_body(receive, headers)
        if body is None:
            message = f"The request body is over {self.max_body_bytes} bytes (max_request_bytes)."
            await send_json(send, 413, _error("LIMIT_EXCEEDED", message), {})
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, receive: Receive, headers: Headers) -> bytes | None:
        """The whole body, or None as soon as it is over the limit."""
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _has_preflight_header(headers: Headers) -> bool:
    return any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS)


def _preflight_message(content_type: str) -> str:
    return (
        f"A {content_type} request needs an X-Requested-With or Apollo-Require-Preflight "
        "header (protection against cross-site requests)."
    )


async def read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body (already held to the size limit by `GraphQLHttpRules`), and a
    receive that gives it again to the next application."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, _replay(body, receive)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then the client's own messages (its disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class GraphQLOverHttp:
    """A mixin for Strawberry's ASGI view: `application/graphql-response+json` when the
    client asks for it, with the specification's status codes (a request that fails
    before execution, having no `data`, is a 400; under `application/json` it stays a
    200), and a 400 instead of a 500 for JSON nested too deep or not an object."""

    def decode_json(self, data: str | bytes) -> object:
        try:
            decoded = json.loads(data)
        except RecursionError as exc:
            raise HTTPException(400, "The JSON body is nested too deeply.") from exc
        if not isinstance(decoded, dict | list):  # lists are batches, refused as such
            raise HTTPException(400, "The JSON body must be an object.")
        return decoded

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)  # type: ignore[misc]
        request.state.graphql_sub_response = sub_response
        return sub_response  # type: ignore[no-any-return]

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        response_data = await super().process_result(request, result)  # type: ignore[misc]
        sub_response: Response = request.state.graphql_sub_response
        if preferred_response_type(request.headers.get("accept")) == GRAPHQL_RESPONSE:
            sub_response.media_type = GRAPHQL_RESPONSE
            if isinstance(result, PreExecutionError):
                response_data.pop("data", None)
                sub_response.status_code = 400
        return response_data

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response: Response = super().create_response(response_data, sub_response)  # type: ignore[misc]
        if sub_response.media_type == GRAPHQL_RESPONSE:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        return response
