"""The reconciler loop of a worker process: every few seconds, one sweep for stale jobs.

A Dramatiq middleware starts it when the worker boots, in a thread with its own event
loop. Every worker process runs the loop, but a Redis lock lets only one sweep run per
interval across all of them.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import redis.asyncio as aioredis
import structlog
from dramatiq import Broker, Middleware, Worker

from clientbase.core.config import get_settings
from clientbase.core.db import Database
from clientbase.services.jobs import reconciler
from clientbase.services.jobs.outbox import ActiveJobs
from clientbase.workers.jobs import send_job

log = structlog.get_logger(__name__)

LOCK_KEY = "clientbase:jobs:reconciler-lock"


class JobReconciler(Middleware):
    """Runs `reconciler.sweep` every `interval` seconds while the worker runs (0: never)."""

    def __init__(self, interval: float | None = None, stale_after: float | None = None) -> None:
        settings = get_settings()
        self.interval = settings.job_reconcile_interval_seconds if interval is None else interval
        self.stale_after = settings.job_stale_after_seconds if stale_after is None else stale_after
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def after_worker_boot(self, broker: Broker, worker: Worker) -> None:
        self.start()

    def before_worker_shutdown(self, broker: Broker, worker: Worker) -> None:
        self.stop()

    def start(self) -> None:
        if self.interval <= 0 or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._loop()), name="job-reconciler", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    async def _loop(self) -> None:
        settings = get_settings()
        assert settings.database_url and settings.redis_url
        database = Database(settings.database_url, pool_size=1, max_overflow=0)
        redis = aioredis.from_url(settings.redis_url)
        try:
            while not self._stop.is_set():
                await self._once(database, redis)
                await asyncio.to_thread(self._stop.wait, self.interval)
        finally:
            await redis.aclose()
            await database.dispose()

    async def _once(self, database: Database, redis: aioredis.Redis) -> None:
        try:
            # One sweep per interval across all workers; the lock expires by itself.
            if not await redis.set(LOCK_KEY, "1", nx=True, px=max(int(self.interval * 1000), 1)):
                return
            registry = ActiveJobs(redis)
            await reconciler.restore(database, registry)
            result = await reconciler.sweep(
                database,
                registry,
                send_job,
                stale_after=timedelta(seconds=self.stale_after),
            )
            if result.resent:
                log.info("reconciler re-sent jobs", count=len(result.resent))
        except Exception:  # the next sweep tries again; the loop must outlive a blip
            log.exception("job reconciler sweep failed")
