"""Helpers for testing event handlers and publishers in a service's own suite.

envelope = event_envelope("order.created", {"order_id": ...})
deliver(envelope)          # every handler of the type, through the inbox, as the worker would
deliver(envelope)          # a redelivery: no effect
published_data("inventory.reserved")  # what the service wrote to its outbox
"""

from ecom_common.events.envelope import event_new
from ecom_common.events.handling import handlers_run_all


def event_envelope(type: str, data: dict, *, source: str | None = None, correlation_id: str | None = None) -> dict:
    """An envelope of ``type``, from the service that owns the type unless ``source`` says otherwise."""
    from ecom_common.events.envelope import type_owner

    source = source or type_owner(type)
    return event_new(
        type=type, source=source, data=data, correlation_id=correlation_id, causation_id=None
    ).as_envelope()


def deliver(envelope: dict) -> list[str]:
    """Applies the event to every handler registered for its type; returns those that ran."""
    return handlers_run_all(envelope)


def published(type: str | None = None) -> list[dict]:
    """Envelopes in this service's outbox, oldest first (optionally of one type)."""
    from ecom_common.models import OutboxEvent

    rows = OutboxEvent.objects.order_by("created_at")
    if type:
        rows = rows.filter(type=type)
    return [row.envelope for row in rows]


def published_data(type: str) -> list[dict]:
    return [envelope["data"] for envelope in published(type)]


__all__ = ["deliver", "event_envelope", "published", "published_data"]
