"""Enqueuing work that a periodic sweep would also find, so a broker outage only delays it, and
the backoff of every retried task."""

import logging
import random

from django.conf import settings

logger = logging.getLogger(__name__)

# The one retry policy for publishing to the broker (tasks, outbox rows, Celery's own sends):
# a stale pooled connection fails once and is replaced on the retry; a broker that is really
# down costs the caller well under a second before the work is left to a periodic sweep.
BROKER_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def enqueue_or_leave_to_sweep(task, args: tuple = (), *, what: str) -> bool:
    """Sends ``task``; on failure logs and returns ``False`` instead of raising."""
    try:
        task.apply_async(args, retry=True, retry_policy=BROKER_RETRY_POLICY)
    except Exception:
        logger.warning("%s not enqueued; the periodic sweep will pick it up", what, exc_info=True)
        return False
    return True


def backoff_seconds(retries: int) -> int:
    """Exponential backoff with jitter: whole seconds in [1, min(cap, base * 2**retries)].

    Whole and at least one: on RabbitMQ, Celery delays retries with native delayed delivery,
    which routes by whole seconds and refuses a countdown of zero.
    """
    ceiling = min(settings.EVENT_RETRY_BACKOFF_MAX_SECONDS, settings.EVENT_RETRY_BACKOFF_SECONDS * 2**retries)
    return max(1, round(random.uniform(0, ceiling)))  # noqa: S311 - jitter, not a secret
