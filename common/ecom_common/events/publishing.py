"""``event_publish``: the one way a service announces a change."""

import logging
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
    transaction.on_commit(partial(_publish_now, event.id))
    return event


def _publish_now(event_id: str) -> None:
    """Right after commit, this process publishes the event itself: the next service hears of it
    one broker round trip later instead of after a relay task's. A broker that is away costs
    under a second here (the short retry policy); the periodic sweep publishes what was left."""
    from ecom_common.events.relay import outbox_publish_pending

    try:
        outbox_publish_pending(ids=[event_id], retry_policy=BROKER_RETRY_POLICY)
    except Exception:
        logger.warning(
            "event not published after commit; the outbox sweep will", extra={"event_id": event_id}, exc_info=True
        )
