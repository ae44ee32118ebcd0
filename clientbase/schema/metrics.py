"""Prometheus metrics of GraphQL operations: counts and times by operation name, and errors
by code.

Operation names come from clients, so only well-formed names are kept, and only the first
MAX_OPERATION_NAMES distinct ones; later names are counted as `other`.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

from graphql import GraphQLError
from prometheus_client import Counter, Histogram
from strawberry.extensions import SchemaExtension

from clientbase.services.errors import DomainError

OPERATIONS = Counter(
    "clientbase_graphql_operations_total",
    "GraphQL operations, by operation name, type and outcome (ok or error).",
    ("operation", "type", "outcome"),
)
OPERATION_SECONDS = Histogram(
    "clientbase_graphql_operation_duration_seconds",
    "Time to parse, validate and run a GraphQL operation, by operation name and type.",
    ("operation", "type"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ERRORS = Counter(
    "clientbase_graphql_errors_total",
    "Errors in GraphQL responses, by extensions.code (INTERNAL: an unexpected failure).",
    ("code",),
)
MAX_OPERATION_NAMES = 200
ANONYMOUS, OTHER, UNKNOWN = "anonymous", "other", "unknown"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_seen: set[str] = set()
_seen_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    if not name:
        return ANONYMOUS
    if not _NAME.fullmatch(name):
        return OTHER
    with _seen_lock:
        if name in _seen:
            return name
        if len(_seen) >= MAX_OPERATION_NAMES:
            return OTHER
        _seen.add(name)
    return name


def error_code(error: GraphQLError) -> str:
    """The error's extensions.code; a request error without one (syntax, validation) is
    BAD_REQUEST, a domain error its first problem's code, any other exception INTERNAL."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str) and _NAME.fullmatch(code):
        return code
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return "BAD_REQUEST"
    if isinstance(original, DomainError) and original.problems:
        return str(original.problems[0].code)
    return "INTERNAL"


class OperationMetrics(SchemaExtension):
    """Place it after MaskErrors in the extension list: it then sees errors unmasked."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        except Exception as exc:  # e.g. a parse error raised through the hooks
            wrapped = GraphQLError(str(exc), original_error=exc)
            self._record(started, [exc if isinstance(exc, GraphQLError) else wrapped])
            raise
        self._record(started, [])

    def _record(self, started: float, raised: list[GraphQLError]) -> None:
        context = self.execution_context
        try:
            kind = context.operation_type.value
        except RuntimeError:  # the document did not parse
            kind = UNKNOWN
        name = operation_label(context.operation_name)
        errors = raised + [e for e in context.pre_execution_errors or [] if e not in raised]
        result = context.result
        if result is not None and result.errors:
            errors += [e for e in result.errors if e not in errors]
        for error in errors:
            ERRORS.labels(error_code(error)).inc()
        OPERATIONS.labels(name, kind, "error" if errors else "ok").inc()
        OPERATION_SECONDS.labels(name, kind).observe(time.perf_counter() - started)
