"""Enqueuing work that a periodic sweep would also find, so a broker outage only delays it."""

import logging

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
