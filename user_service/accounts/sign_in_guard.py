"""Per-account lockout: after ACCOUNT_LOCKOUT_FAILURES failed sign-ins in a row (within
ACCOUNT_LOCKOUT_SECONDS), the account cannot sign in for ACCOUNT_LOCKOUT_SECONDS, whatever
client asks, through the API or any admin; a successful sign-in resets the count.

The per-client throttles stop one client guessing many accounts; this stops many clients
guessing one. (Anyone who knows an address can lock it for a while: the price of the guard,
bounded by the lockout's length.) Counters live in the cache (Redis in production), one
number per address.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled


class AccountLocked(Throttled):
    # The documented 429 code (the schema's, so clients handle it as any throttle), with its own words.
    default_detail = "Too many failed sign-ins for this account: it is locked for a while."


def _keys(email: str) -> tuple[str, str]:
    address = email.strip().lower()
    return f"sign_in_failures:{address}", f"sign_in_locked_until:{address}"


def sign_in_locked_seconds(email: str) -> int:
    """How long the account stays locked; 0 when it is not."""
    locked_until = cache.get(_keys(email)[1])
    return max(0, math.ceil(locked_until - time.time())) if locked_until else 0


def sign_in_check(email: str) -> None:
    """Raises AccountLocked (429 with Retry-After) while the account is locked."""
    seconds = sign_in_locked_seconds(email)
    if seconds:
        raise AccountLocked(wait=seconds)


def sign_in_failed(email: str) -> None:
    failures, locked = _keys(email)
    cache.add(failures, 0, timeout=settings.ACCOUNT_LOCKOUT_SECONDS)
    if cache.incr(failures) >= settings.ACCOUNT_LOCKOUT_FAILURES:
        cache.set(locked, time.time() + settings.ACCOUNT_LOCKOUT_SECONDS, timeout=settings.ACCOUNT_LOCKOUT_SECONDS)
        cache.delete(failures)


def sign_in_succeeded(email: str) -> None:
    cache.delete(_keys(email)[0])


def locked_message(seconds: int) -> str:
    return (
        f"Too many failed sign-ins for this account: it is locked, try again in {math.ceil(seconds / 60)} minute(s)."
    )
