"""The ASGI application: Starlette routes, middleware, the GraphQL endpoint and the lifespan.

This module is the composition root: it wires core plumbing, services and the
schema together, so it sits above every layer.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import orjson
import redis.asyncio as aioredis
import structlog
from graphql import GraphQLError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import Scope
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from clientbase.api_compiled import CompiledReads
from clientbase.api_console import console_routes
from clientbase.api_files import file_routes
from clientbase.api_idempotency import IdempotencyMiddleware
from clientbase.api_metrics import metrics_route
from clientbase.core.config import Settings, get_settings
from clientbase.core.db import Database, create_driver_pool
from clientbase.core.http import RequestIdMiddleware, SessionMiddleware, UnauthenticatedError
from clientbase.core.http_rules import GraphQLHttpRules, GraphQLOverHttp
from clientbase.core.logging import configure_logging
from clientbase.core.metrics import HttpMetricsMiddleware
from clientbase.resolvers.root import build_schema
from clientbase.schema.compiled.executor import compiling_executor
from clientbase.schema.compiled.operations import OperationCache
from clientbase.schema.context import Context
from clientbase.schema.limits import limit_extensions
from clientbase.schema.metrics import OperationMetrics
from clientbase.services.auth import service as auth
from clientbase.services.auth.principal import Principal, Role
from clientbase.services.auth.user_tokens import (
    TokenError,
    TokenVerifier,
    looks_like_jwt,
    user_principal,
)
from clientbase.services.errors import DomainError
from clientbase.services.jobs.events import JobEvents
from clientbase.services.ratelimit import TokenBucket

log = structlog.get_logger(__name__)

KEY_USE_RESOLUTION = timedelta(minutes=5)
# The caller of a websocket until its `connection_init` brings a key: no operation runs
# before then (the protocol refuses subscribe messages until the connection is acked).
NOBODY = Principal(uuid.UUID(int=0), Role.READER, "SYSTEM", "", "unauthenticated")


class ConfigurationError(RuntimeError):
    pass


Authenticate = Callable[[AsyncSession, str | None], Awaitable[Principal | None]]


class GraphQLApp(GraphQLOverHttp, GraphQL[Context, None]):
    authenticate: Authenticate

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        state = request.state
        if not hasattr(state, "session"):
            # Only the public GraphiQL page gets here without a caller, and it runs no
            # operation; every request that executes one passed the session middleware.
            return cast(Context, None)
        app_state = request.app.state
        return Context(
            request=request,
            response=response,
            session=state.session,
            principal=getattr(state, "principal", NOBODY),
            job_queue=app_state.job_queue,
            job_events=app_state.job_events,
            cost_budget=app_state.cost_budget,
            idempotency=getattr(state, "idempotency", None),
            operation_request=getattr(state, "operation_request", None),
        )

    def encode_json(self, data: object) -> str:
        # orjson also writes compiled documents (orjson.Fragment) into the response as is;
        # text, not bytes, because websocket messages must go out as text frames.
        return orjson.dumps(data).decode()

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate a websocket by the key in `connection_init`, unless its upgrade
        request carried one; close it (4403) without a valid key."""
        if context.principal is not NOBODY:
            return cast(UnsetType, UNSET)
        secret = _key_from_params(context.connection_params)
        async with context.session_lock:
            try:
                principal = await self.authenticate(context.session, secret)
            except UnauthenticatedError:
                principal = None
            await context.session.rollback()  # hold no transaction between operations
        if principal is None:
            raise ConnectionRejectionError()
        context.principal = principal
        return cast(UnsetType, UNSET)


def _key_from_params(params: dict[str, Any] | None) -> str | None:
    """`{"Authorization": "Bearer <key>"}` or `{"apiKey": "<key>"}`."""
    for name, value in (params or {}).items():
        if not isinstance(value, str):
            continue
        if name.lower() == "authorization":
            scheme, _, credentials = value.partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
        if name == "apiKey" and value.strip():
            return value.strip()
    return None


def _is_expected_error(error: GraphQLError) -> bool:
    """Errors of the request itself (syntax, validation, limits) keep their message."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError | DomainError)


def _authenticator(verifier: TokenVerifier | None) -> Authenticate:
    """API keys (`cb_...`) and, when configured, users' JWTs, told apart by their shape."""

    async def authenticate(session: AsyncSession, secret: str | None) -> Principal | None:
        if secret is None or not looks_like_jwt(secret):
            return await auth.authenticate(session, secret)
        if verifier is None:
            raise UnauthenticatedError("Sign-in with a token is not configured; use an API key.")
        try:
            return await user_principal(session, verifier.verify(secret))
        except TokenError as exc:
            raise UnauthenticatedError(str(exc)) from exc

    return authenticate


def _token_verifier(settings: Settings) -> TokenVerifier | None:
    if settings.jwt_algorithm is None:
        return None
    if not settings.jwt_issuer or not settings.jwt_audience:
        raise ConfigurationError(
            "JWT sign-in needs CLIENTBASE_JWT_ISSUER and CLIENTBASE_JWT_AUDIENCE"
        )
    try:
        return TokenVerifier.from_files(
            algorithm=settings.jwt_algorithm,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            secret=settings.jwt_secret.get_secret_value() if settings.jwt_secret else None,
            public_key_file=settings.jwt_public_key_file,
            jwks_file=settings.jwt_jwks_file,
            tenant_claim=settings.jwt_tenant_claim,
            role_claim=settings.jwt_role_claim,
            leeway_seconds=settings.jwt_leeway_seconds,
        )
    except (ValueError, OSError) as exc:
        raise ConfigurationError(f"JWT sign-in: {exc}") from exc


async def _record_key_use(principal: Principal) -> None:
    if principal.actor_kind != "API_KEY":
        return
    now = datetime.now(UTC)
    if principal.last_used_at is not None and now - principal.last_used_at < KEY_USE_RESOLUTION:
        return
    from clientbase.workers.api_keys import record_api_key_use

    try:
        await asyncio.to_thread(
            record_api_key_use.send, str(principal.tenant_id), principal.actor_id, now.isoformat()
        )
    except Exception as exc:  # the request succeeded; a lost usage stamp is not worth a 500
        log.warning("could not queue api key use", error=str(exc))


async def _check_app_role(database: Database) -> None:
    """Refuse to serve as a role that bypasses row-level security: tenancy depends on it."""
    async with database.engine.connect() as connection:
        bypasses = await connection.scalar(
            text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        )
    if bypasses:
        raise ConfigurationError(
            "CLIENTBASE_DATABASE_URL connects as a superuser or BYPASSRLS role; "
            "use the application role created by the migrations"
        )


async def _queue_depths(redis: aioredis.Redis) -> dict[tuple[str, str], int]:
    # Imported here: declaring the actors builds the Dramatiq broker from the settings.
    from clientbase.workers.queues import queue_depths

    return await queue_depths(redis)


async def _select_one(database: Database) -> None:
    """`SELECT 1`, once more on a fresh connection if the pooled one's server went away
    (the API's pool does not ping at checkout)."""
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(2):
            await _select_one(request.app.state.database)
        checks["postgres"] = "ok"
    except Exception as exc:
        checks["postgres"] = f"unavailable: {type(exc).__name__}"
    try:
        async with asyncio.timeout(2):
            await request.app.state.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"unavailable: {type(exc).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ready" if ready else "unavailable", "checks": checks},
                        status_code=200 if ready else 503)  # fmt: skip


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    if not settings.database_url:
        raise ConfigurationError("CLIENTBASE_DATABASE_URL is not set")
    if not settings.redis_url:
        raise ConfigurationError("CLIENTBASE_REDIS_URL is not set")
    database_url, redis_url = settings.database_url, settings.redis_url

    verifier = _token_verifier(settings)
    schema = build_schema(
        [
            # First: the document size is checked before the parser cache parses it.
            *limit_extensions(settings),
            # Factories: a fresh extension per request; the LRU caches are shared by maxsize.
            lambda: ParserCache(maxsize=settings.parser_cache_size),
            lambda: ValidationCache(maxsize=settings.validation_cache_size),
            lambda: MaskErrors(should_mask_error=lambda error: not _is_expected_error(error)),
            OperationMetrics,  # after MaskErrors: it counts the errors before masking
        ],
        StrawberryConfig(disable_field_suggestions=not settings.field_suggestions_enabled),
    )
    operations = OperationCache()
    if settings.compiled_reads:
        schema.execution_context_class = compiling_executor(schema, operations)
    graphiql = settings.graphiql_enabled
    graphql_app = GraphQLApp(
        schema,
        graphql_ide="graphiql" if graphiql else None,
        allow_queries_via_get=False,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=10),
    )
    graphql_app.authenticate = authenticate = _authenticator(verifier)

    def is_public(scope: Scope) -> bool:
        # The GraphiQL page itself; every query it sends carries the key.
        if not graphiql or scope.get("method") != "GET":
            return False
        accept = dict(scope.get("headers", [])).get(b"accept", b"")
        return b"text/html" in accept

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.database = Database(
            database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            server_settings=settings.api_database_timeouts,
            # A ping per checkout is a round trip per request; sign-in retries instead.
            pre_ping=False,
        )
        app.state.redis = aioredis.from_url(redis_url)
        # Imported here: declaring the actors builds the Dramatiq broker from the settings.
        from clientbase.workers.jobs import DramatiqJobQueue

        app.state.job_queue = DramatiqJobQueue(app.state.redis)
        app.state.job_events = JobEvents(app.state.redis)
        app.state.requests = TokenBucket(app.state.redis, "requests",
                                         capacity=settings.request_burst,
                                         per_minute=settings.requests_per_minute)  # fmt: skip
        per_minute = settings.query_cost_per_minute
        cost = TokenBucket(app.state.redis, "cost", capacity=per_minute, per_minute=per_minute)
        app.state.cost_budget = cost.spend if per_minute > 0 else None
        app.state.read_pool = None
        try:
            await _check_app_role(app.state.database)
            if settings.compiled_reads:
                app.state.read_pool = await create_driver_pool(
                    database_url, size=settings.db_pool_size,
                    server_settings=settings.api_database_timeouts,
                )  # fmt: skip
            yield
        finally:
            if app.state.read_pool is not None:
                await app.state.read_pool.close()
            await app.state.redis.aclose()
            await app.state.database.dispose()

    async def admit(principal: Principal) -> float | None:
        if settings.requests_per_minute <= 0:
            return None
        verdict = await app.state.requests.spend(principal)
        return None if verdict.allowed else verdict.retry_after_seconds

    middleware: list[Any] = [
        Middleware(RequestIdMiddleware),
        Middleware(HttpMetricsMiddleware),
        Middleware(
            GraphQLHttpRules,
            graphql_path="/graphql",
            max_body_bytes=settings.max_request_bytes,
            ide_enabled=graphiql,
            form_prefixes=("/files",),
        ),
        *(
            [
                Middleware(
                    CompiledReads,
                    path="/graphql",
                    operations=operations,
                    max_cost=settings.max_query_cost,
                    admit=admit,
                    after_request=_record_key_use,
                    verifier=verifier,
                )
            ]
            if settings.compiled_reads
            else []
        ),
        Middleware(
            SessionMiddleware,
            authenticate=authenticate,
            protected_prefixes=("/graphql", "/files"),
            is_public=is_public,
            after_request=_record_key_use,
            admit=admit,
        ),
    ]
    if settings.cors_origins:
        middleware.insert(0, Middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-api-key", "x-filename",
                           "x-request-id", "x-requested-with", "apollo-require-preflight"],
            expose_headers=["x-request-id", "retry-after"], max_age=600,
        ))  # fmt: skip
    optional: list[BaseRoute] = [metrics_route(settings, _queue_depths)] if settings.metrics else []
    optional += console_routes() if settings.console_enabled else []
    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", IdempotencyMiddleware(graphql_app), methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_app),
            *file_routes(settings.max_upload_bytes),
            *optional,
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    return app
