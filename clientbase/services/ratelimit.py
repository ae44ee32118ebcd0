"""Token buckets in Redis, one per caller and purpose: requests per minute, query cost per minute.

The refill and the spend run in one Lua script with Redis's own clock, so concurrent
API processes share a bucket exactly and a caller's bucket never touches another's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from clientbase.services.auth.principal import Principal

# KEYS[1] the bucket; ARGV capacity, refill per second, tokens wanted.
_SPEND = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local allowed = 0
local wait = 0
if tokens >= wanted then
  tokens = tokens - wanted
  allowed = 1
else
  wait = (wanted - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
return {allowed, tostring(tokens), tostring(wait)}
"""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    remaining: int
    retry_after_seconds: float


def caller_key(principal: Principal) -> str:
    """One bucket per API key or per user of a tenant."""
    return f"{principal.tenant_id}:{principal.actor_kind}:{principal.actor_id}"


class TokenBucket:
    """`capacity` tokens, refilled at `per_minute` a minute; `spend` takes some or refuses."""

    def __init__(
        self, redis: aioredis.Redis, purpose: str, *, capacity: int, per_minute: int
    ) -> None:
        self.redis = redis
        self.purpose = purpose
        self.capacity = capacity
        self.rate = per_minute / 60
        self._script: Any = redis.register_script(_SPEND)

    async def spend(self, principal: Principal, tokens: int = 1) -> Verdict:
        if tokens > self.capacity:
            return Verdict(False, 0, float("inf"))
        key = f"clientbase:bucket:{self.purpose}:{caller_key(principal)}"
        allowed, remaining, wait = await self._script(
            keys=[key], args=[self.capacity, self.rate, tokens]
        )
        return Verdict(bool(allowed), int(float(remaining)), float(wait))
