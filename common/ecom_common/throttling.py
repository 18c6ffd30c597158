"""Per-client rate limits for DRF that cost one cache round trip per request.

DRF's ``SimpleRateThrottle`` keeps a list of every request's time in the last period and reads
and rewrites the whole list on each request: at 1200/min that is up to 1200 floats through Redis
per request, which the benchmark's profile put at ~40 % of a cached read. These keep a single
number per client instead, the generic cell rate algorithm (GCRA): ``num_requests`` may arrive at
once, after which they are allowed at the steady rate; no window edge lets twice the rate through.

On Redis the read and the write are one Lua script (one round trip, and atomic: two requests of
one client cannot both take the last slot); on another cache they are a get and a set.
"""

import math

from rest_framework import throttling

# KEYS[1]: the client's key; ARGV: now, the interval between requests, the period (seconds).
# Returns {1, "0"} when allowed (the new arrival time stored), else {0, "<seconds to wait>"}.
_GCRA_LUA = """
local now, interval, duration = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local allowed_at = tat + interval
if allowed_at - now > duration then
  return {0, tostring(allowed_at - duration - now)}
end
redis.call('SET', KEYS[1], tostring(allowed_at), 'EX', math.ceil(allowed_at - now))
return {1, '0'}
"""
_scripts: dict = {}  # the registered script (EVALSHA, loaded again if Redis lost it), per process


def _redis_gcra(cache, key: str, *, now: float, interval: float, duration: float) -> float | None:
    """``None`` when allowed, else the seconds to wait; the cache must be django-redis's."""
    client = cache.client.get_client(write=True)
    script = _scripts.get("gcra") or _scripts.setdefault("gcra", client.register_script(_GCRA_LUA))
    allowed, wait = script(keys=[cache.client.make_key(key)], args=[now, interval, duration], client=client)
    return None if int(allowed) else float(wait)


def _uses_redis(cache) -> bool:
    return hasattr(getattr(cache, "client", None), "get_client")


class CellRateThrottleMixin:
    # Another key than DRF's: its values are lists, these are numbers.
    cache_format = "throttle_gcra_%(scope)s_%(ident)s"

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        interval = self.duration / self.num_requests
        if _uses_redis(self.cache):
            self.retry_after = _redis_gcra(self.cache, self.key, now=now, interval=interval, duration=self.duration)
            return self.retry_after is None
        # The "theoretical arrival time": when this client's allowance would be back to full.
        allowed_at = max(self.cache.get(self.key, now), now) + interval
        if allowed_at - now > self.duration:
            self.retry_after = allowed_at - self.duration - now
            return False
        self.cache.set(self.key, allowed_at, math.ceil(allowed_at - now))
        return True

    def wait(self):
        return self.retry_after


class AnonRateThrottle(CellRateThrottleMixin, throttling.AnonRateThrottle):
    """Anonymous callers, by client IP (``NUM_PROXIES`` says which X-Forwarded-For entry)."""


class UserRateThrottle(CellRateThrottleMixin, throttling.UserRateThrottle):
    """Authenticated callers, by user id (from the token: no database lookup)."""


class ScopedRateThrottle(CellRateThrottleMixin, throttling.ScopedRateThrottle):
    """Per client for one sensitive action (the view's ``throttle_scope``): by user id when signed
    in, else by client IP."""

    def allow_request(self, request, view):
        # DRF reads the view's scope here, not in __init__; the rate follows from it.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class EmailAddressRateThrottle(CellRateThrottleMixin, throttling.SimpleRateThrottle):
    """Per e-mail address the request names (``email`` in the body), whoever asks: a flood of
    reset mails to one address is refused however many clients send it."""

    scope = "account_mail_address"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        if len(email) > 254:  # refused by the view's validation (400); never a cache key
            return None
        return self.cache_format % {"scope": self.scope, "ident": email.strip().lower()}
