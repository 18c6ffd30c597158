"""``event_publish``: the one way a service announces a change."""

from django.conf import settings
from django.db import transaction

from ecom_common.events.context import current_event_var
from ecom_common.events.envelope import Event, event_new
from ecom_common.request_id import current_request_id
from ecom_common.enqueue import enqueue_or_leave_to_sweep


def event_publish(*, type: str, data: dict, correlation_id: str | None = None) -> Event:
    """Writes ``type`` with ``data`` to the outbox, inside the caller's transaction.

    Call it in the same ``transaction.atomic()`` as the change it announces: both commit or
    neither does. Right after commit a Celery relay publishes it; a periodic sweep publishes
    whatever that missed. The correlation id is, in order: the one given (a saga continued from
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
    transaction.on_commit(_relay_soon)
    return event


def _relay_soon() -> None:
    from ecom_common.events.tasks import outbox_relay_task

    enqueue_or_leave_to_sweep(outbox_relay_task, what="outbox relay")
