"""Prometheus metrics of HTTP requests, and the ASGI middleware that records them.

The route label is the matched route's path template (`/files/{id}`), found before the
request runs, so requests answered early by other middleware (401, 413, 429) still get
their route; a path that matches no route is `other`, which keeps the labels bounded.
"""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter(
    "clientbase_http_requests_total",
    "HTTP requests answered, by method, route template and status code.",
    ("method", "route", "status"),
)
REQUEST_SECONDS = Histogram(
    "clientbase_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by method and route.",
    ("method", "route"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
IN_PROGRESS = Gauge(
    "clientbase_http_requests_in_progress", "HTTP requests being answered now.", ("method",)
)
WEBSOCKETS = Gauge(
    "clientbase_websockets_open", "Websocket connections open now (subscriptions).", ("route",)
)
OTHER = "other"
# Methods outside this set are counted as OTHER: the method label stays bounded too.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_label(scope: Scope) -> str:
    """The path template of the first route that matches `scope`, else `other`."""
    app = scope.get("app")
    router = getattr(app, "router", None)
    for route in getattr(router, "routes", ()):
        match, _ = route.matches(scope)
        if match != Match.NONE:
            path: str = getattr(route, "path", "") or "/"
            return path
    return OTHER


class HttpMetricsMiddleware:
    """Counts and times every HTTP request, and counts open websockets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            gauge = WEBSOCKETS.labels(route_label(scope))
            gauge.inc()
            try:
                await self.app(scope, receive, send)
            finally:
                gauge.dec()
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"] if scope["method"] in METHODS else OTHER
        route = route_label(scope)
        status = 500  # what the client sees if the app raises before answering
        started = time.perf_counter()

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        in_progress = IN_PROGRESS.labels(method)
        in_progress.inc()
        try:
            await self.app(scope, receive, send_and_note)
        finally:
            in_progress.dec()
            REQUESTS.labels(method, route, str(status)).inc()
            REQUEST_SECONDS.labels(method, route).observe(time.perf_counter() - started)
