"""Throttled progress messages of one run: after each commit, at most a few a second.

The runner learns of a commit from the handler's session itself (SQLAlchemy's
after_commit event), so a snapshot is published only once its counters are durable
and a rolled-back chunk never shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

log = structlog.get_logger(__name__)

Publish = Callable[[uuid.UUID, dict[str, Any]], Awaitable[None]]
_PENDING = "clientbase.job_progress"
_LISTENING = "clientbase.job_progress.listening"


class ProgressFeed:
    """Publishes the latest committed snapshot, at most once per `interval` seconds."""

    def __init__(self, job_id: uuid.UUID, publish: Publish, interval: float) -> None:
        self.job_id = job_id
        self._publish = publish
        self._interval = interval
        self._latest: dict[str, Any] | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.on_commit: Callable[[dict[str, Any]], None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def stage(self, session: AsyncSession, snapshot: dict[str, Any]) -> None:
        """Publish `snapshot` once `session` commits; forget it if it rolls back."""
        sync = session.sync_session
        sync.info[_PENDING] = snapshot
        if not sync.info.get(_LISTENING):
            sync.info[_LISTENING] = True
            event.listen(sync, "after_commit", self._committed)
            event.listen(sync, "after_soft_rollback", self._rolled_back)

    def _committed(self, sync: Session) -> None:
        snapshot = sync.info.pop(_PENDING, None)
        if snapshot is not None:
            self._latest = snapshot
            self._wake.set()
            if self.on_commit is not None:
                self.on_commit(snapshot)

    def _rolled_back(self, sync: Session, _previous: object) -> None:
        sync.info.pop(_PENDING, None)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._latest is not None:
                await self._send(self._latest)
            await asyncio.sleep(self._interval)

    async def _send(self, snapshot: dict[str, Any]) -> None:
        try:
            await self._publish(self.job_id, snapshot)
        except Exception as exc:  # progress is a courtesy; listeners re-read the job anyway
            log.warning("could not publish job progress", job_id=str(self.job_id), error=str(exc))

    async def close(self, final: dict[str, Any] | None) -> None:
        """Stop the throttle and publish the final snapshot, if any, at once."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if final is not None:
            await self._send(final)
