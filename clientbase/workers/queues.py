"""How many messages wait in each Dramatiq queue, read from the broker's Redis keys.

Read at scrape time from Redis itself, so the figures hold for any number of workers.
Keys (RedisBroker): `<ns>:<queue>` lists the ready message ids, `<ns>:<queue>.msgs` holds
every message not yet acknowledged (ready or being worked on), `<ns>:<queue>.DQ.msgs` the
delayed ones (retries waiting for their backoff) and `<ns>:<queue>.XQ` the dead-lettered.
"""

from __future__ import annotations

from typing import Any

from clientbase.workers.broker import broker


def queue_names() -> list[str]:
    """The queues of every actor (their delay and dead-letter queues aside)."""
    import clientbase.workers.actors  # noqa: F401 - declares every actor's queue

    declared = broker.get_declared_queues()
    return sorted(q for q in declared if not q.endswith((".DQ", ".XQ")))


async def queue_depths(redis: Any) -> dict[tuple[str, str], int]:
    """(queue, state) -> messages, state one of ready, unacked, delayed, dead."""
    namespace = broker.namespace
    names = queue_names()
    async with redis.pipeline(transaction=False) as pipe:
        for name in names:
            key = f"{namespace}:{name}"
            pipe.llen(key)
            pipe.hlen(f"{key}.msgs")
            pipe.hlen(f"{key}.DQ.msgs")
            pipe.zcard(f"{key}.XQ")
        replies = await pipe.execute()
    depths: dict[tuple[str, str], int] = {}
    for index, name in enumerate(names):
        ready, pending, delayed, dead = (int(r) for r in replies[index * 4 : index * 4 + 4])
        depths[(name, "ready")] = ready
        depths[(name, "unacked")] = max(pending - ready, 0)
        depths[(name, "delayed")] = delayed
        depths[(name, "dead")] = dead
    return depths
