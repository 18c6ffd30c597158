"""``event_publish``: the one way a service announces a change."""

import logging
import time
from functools import partial

from django.conf import settings
from django.db import transaction

from ecom_common.enqueue import BROKER_RETRY_POLICY
from ecom_common.events.context import current_event_var
from ecom_common.events.envelope import Event, event_new
from ecom_common.request_id import current_request_id

logger = logging.getLogger(__name__)


def event_publish(*, type: str, data: dict, correlation_id: str | None = None) -> Event:
    """Writes ``type`` with ``data`` to the outbox, inside the caller's transaction.

    Call it in the same ``transaction.atomic()`` as the change it announces: both commit or
    neither does. Right after commit it is published from this process; a periodic sweep
    publishes whatever that missed. The correlation id is, in order: the one given (a saga continued from
    an API call or a beat task), the current event's (inside a handler), the request id (inside
    a request). The causation id is the event being handled, if any.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_publish must run inside transaction.atomic() with the change it announces")
    from ecom_common.models import (
        OutboxEvent,  # here, so importing the API needs no app registry
    )

    cause = current_event_var.get()
    event = event_new(
        type=type,
        source=f"{settings.SERVICE_NAME}_service",
        data=data,
        correlation_id=correlation_id or (cause.correlation_id if cause else current_request_id()),
        causation_id=cause.id if cause else None,
    )
    OutboxEvent.objects.create(id=event.id, exchange=event.exchange, type=event.type, envelope=event.as_envelope())
    transaction.on_commit(partial(publish_after_commit, event.id))
    return event


# After a failed publish, this process leaves its events to the sweep for a while: during a broker
# outage a request then pays for no connection attempt at all, instead of each one waiting out
# the broker's connect timeout (the checkout answers promptly; the sweep publishes later).
PUBLISH_AFTER_COMMIT_PAUSE_SECONDS = 5.0
# The request path waits for the broker's confirm briefly; later retries are the sweep's job.
AFTER_COMMIT_CONFIRM_TIMEOUT_SECONDS = 2.0
_paused_until = 0.0


def publish_after_commit(event_id: str, *, connection=None) -> bool:
    """Right after commit, this process publishes the event itself: the next service hears of it
    one broker round trip later instead of after a relay task's. Bounded by the short retry
    policy (a stale pooled connection is replaced), the connect and confirm timeouts; when the
    broker fails it, the periodic sweep publishes it and this process skips its own attempts for
    PUBLISH_AFTER_COMMIT_PAUSE_SECONDS. ``True``: published here (``False`` also when the sweep
    took the row first, which is no failure)."""
    global _paused_until  # noqa: PLW0603 - one pause per process, shared by its requests
    from ecom_common.events.relay import outbox_publish_pending

    if time.monotonic() < _paused_until:
        return False
    failures = []
    try:
        published = outbox_publish_pending(
            ids=[event_id],
            retry_policy=BROKER_RETRY_POLICY,
            confirm_timeout=AFTER_COMMIT_CONFIRM_TIMEOUT_SECONDS,
            connection=connection,
            on_failure=failures.append,
        )
    except Exception as error:
        logger.warning(
            "event not published after commit; the outbox sweep will", extra={"event_id": event_id}, exc_info=True
        )
        failures.append(error)
        published = 0
    if failures:
        _paused_until = time.monotonic() + PUBLISH_AFTER_COMMIT_PAUSE_SECONDS
    return bool(published)
