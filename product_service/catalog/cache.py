"""Cached product responses, invalidated all at once by a generation counter.

Every cached entry carries the catalog generation it was built under, and is read together with
the current one (one round trip); a write bumps the generation, so one increment retires every
cached detail and list page without having to find them.

Why the bump runs in ``transaction.on_commit`` (the race): a reader takes the generation, then
queries the database, then stores what it read under that generation. Were the bump made inside
the writer's transaction, a reader could take the *new* generation yet still read the *old*,
uncommitted-over row, and pin stale data under the new generation until the next write. Bumped
after commit, any reader that saw the old row also saw the old generation, so its entry carries a
generation nobody accepts any more. (A reader that takes the old generation and reads the new row
merely caches fresh data that the next read rebuilds: harmless.)
"""

import hashlib
import logging
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from prometheus_client import Counter
from rest_framework.request import Request
from rest_framework.response import Response

from ecom_common.permissions import is_staff

logger = logging.getLogger(__name__)

# Per web process, like the request metrics beside it on /metrics: the hit ratio is
# rate(hit) / rate(hit + miss) summed over the scraped processes.
CACHE_LOOKUPS = Counter("ecom_catalog_cache_lookups", "Catalog cache lookups, hit or miss.", ["result"])

GENERATION_KEY = "catalog:generation"


def catalog_cache_applies(*, request: Request) -> bool:
    """Only what a non-staff caller sees is cached; staff see inactive products too."""
    if not settings.CATALOG_CACHE_ENABLED:
        return False
    return not is_staff(request.user)


def shared_for_a_moment(response: Response, *, request: Request) -> Response:
    """Lets the gateway's micro-cache keep the public view for CATALOG_GATEWAY_CACHE_SECONDS.

    ``X-Accel-Expires`` is nginx's own header (nginx never passes it on to the client), so only the
    gateway keeps the response, never a browser. The gateway shares it only between requests that
    carry no Authorization and no Cookie, and staff views are never marked: what one caller saw is
    what any anonymous caller would have been sent. A write is visible through the gateway at the
    latest that many seconds after it commits (docs/gateway.md, "Micro-cache").
    """
    seconds = settings.CATALOG_GATEWAY_CACHE_SECONDS
    if seconds > 0 and not is_staff(request.user):
        response["X-Accel-Expires"] = str(seconds)
    return response


def catalog_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # Seeded from the clock, not 1: if Redis evicts the counter, a restart from 1 could
        # bring back entries cached under an old generation.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return int(generation)


def _generation_bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # the counter is missing (cleared or evicted): a fresh one retires the rest
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception:  # a cache outage must not fail a committed write; entries expire on their own
        logger.exception("catalog cache invalidation failed")


def catalog_cache_invalidate() -> None:
    """Retires every cached catalog response once the current transaction commits."""
    transaction.on_commit(_generation_bump)


def product_detail_cache_key(*, product_id: str) -> str:
    return f"catalog:product:{product_id}"


def product_list_cache_key(*, request: Request) -> str:
    # Normalised: parameter order must not split one page into several entries. The host and
    # scheme are part of it because the page's next/previous links are absolute URLs.
    pairs = sorted((key, value) for key in request.query_params for value in request.query_params.getlist(key))
    raw = f"{request.scheme}://{request.get_host()}{request.path}?{urlencode(pairs)}"
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return f"catalog:products:{digest}"


def cached_data(*, key: Callable[[], str], build: Callable[[], object]) -> object:
    """The value cached under ``key()``, or ``build()``'s, stored for CATALOG_CACHE_SECONDS.

    An entry is kept with the catalog generation read before it was built, and read together
    with the current generation (one round trip): an entry of an older generation is stale. A
    write that commits while an entry is being built bumps the generation, so that entry is
    stale as soon as it is stored. A cache outage degrades to building every response, never
    to an error.
    """
    try:
        key = key()
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            generation = catalog_generation()  # seeds the counter
        entry = found.get(key)
    except Exception:
        logger.exception("catalog cache read failed")
        return build()
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == int(generation):
        CACHE_LOOKUPS.labels("hit").inc()
        return entry[1]
    CACHE_LOOKUPS.labels("miss").inc()
    data = build()
    try:
        cache.set(key, (int(generation), data), timeout=settings.CATALOG_CACHE_SECONDS)
    except Exception:
        logger.exception("catalog cache write failed")
    return data
