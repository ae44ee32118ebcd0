"""Messages the workers give up on carry their reason into the dead-letter queue, and a
job's message onto its row: no job message vanishes without a row saying why.

Dramatiq dead-letters a message (nack) when its retries are spent, when it is aborted, or
when a middleware fails it. The copy Redis moves to the dead-letter queue is the one last
enqueued, which lacks the final failure, so it is written again with the reason.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import structlog
from dramatiq import Broker, Middleware
from dramatiq.asyncio import get_event_loop_thread

from clientbase.core.config import get_settings
from clientbase.services.jobs import service
from clientbase.workers.resources import databases

log = structlog.get_logger(__name__)

JOB_ACTOR = "run_job_actor"
REASON_OPTION = "failure_reason"


def failure_reason(message: Any) -> str:
    """What ended the message: its last exception and how many attempts it had."""
    attempts = int(message.options.get("retries", 0)) or 1
    error = getattr(message, "_exception", None)
    if error is not None:
        what = f"{type(error).__name__}: {error}".rstrip(": ")
    else:
        lines = str(message.options.get("traceback") or "").strip().splitlines()
        what = lines[-1] if lines else "the message was failed without an exception"
    plural = "" if attempts == 1 else "s"
    return f"Gave up after {attempts} attempt{plural}: {what}"


class DeadLetters(Middleware):
    """Records the reason of every dead-lettered message, and fails the job it was for."""

    def after_nack(self, broker: Broker, message: Any) -> None:
        reason = failure_reason(message)
        message.options[REASON_OPTION] = reason
        log.error("message dead-lettered", actor=message.actor_name,
                  message_id=message.message_id, reason=reason)  # fmt: skip
        try:
            _rewrite_dead_copy(broker, message)
        except Exception:  # the job row below still says why
            log.exception("could not record the reason in the dead-letter queue")
        if message.actor_name == JOB_ACTOR:
            _fail_job(message, reason)


def _rewrite_dead_copy(broker: Any, message: Any) -> None:
    client, namespace = getattr(broker, "client", None), getattr(broker, "namespace", None)
    message_id = message.options.get("redis_message_id")
    if client is None or namespace is None or not message_id:
        return  # not the Redis broker
    queue = message.queue_name.removesuffix(".DQ")
    key = f"{namespace}:{queue}.XQ.msgs"
    if client.hexists(key, message_id):
        client.hset(key, message_id, message.encode())


def _fail_job(message: Any, reason: str) -> None:
    # run_job_actor(tenant_id, job_id), sent with positional arguments.
    tenant_id, job_id = (uuid.UUID(str(value)) for value in message.args[:2])
    stale_after = timedelta(seconds=get_settings().job_stale_after_seconds)

    async def give_up() -> None:
        # Bounded: the worker thread waits for it, and PostgreSQL may be what is down.
        async with asyncio.timeout(10), databases().get().session(tenant_id) as session:
            await service.give_up(session, job_id, reason, stale_after)
            await session.commit()

    try:
        loop_thread = get_event_loop_thread()
        if loop_thread is None:
            raise RuntimeError("no event loop thread: the AsyncIO middleware is not running")
        loop_thread.run_coroutine(give_up())
    except Exception:
        # Most likely PostgreSQL is what failed the message: the job stays unfinished, and
        # the reconciler sends it again once its heartbeat is stale.
        log.exception("could not mark the dead-lettered job FAILED", job_id=str(job_id))
