"""Reads of orders and of their sagas' event timelines."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from ecom_common.models import InboxEvent, OutboxEvent
from orders.models import CheckoutSaga, Order


def order_list(*, user_id: str, include_all: bool = False) -> QuerySet[Order]:
    """The user's orders (everyone's when ``include_all``, for staff), newest first."""
    orders = (
        Order.objects.select_related("shipment")
        .prefetch_related("lines", "status_history")
        .order_by("-created_at", "-id")
    )
    return orders if include_all else orders.filter(user_id=user_id)


@dataclass(frozen=True)
class TimelineEntry:
    direction: str  # "out" (published here) or "in" (handled here)
    type: str
    at: datetime
    event_id: str
    handler: str = ""


def saga_timeline(*, saga: CheckoutSaga) -> list[TimelineEntry]:
    """Every event of the saga published or handled by this service, oldest first."""
    published = OutboxEvent.objects.filter(envelope__correlation_id=saga.correlation_id)
    handled = InboxEvent.objects.filter(correlation_id=saga.correlation_id)
    entries = [TimelineEntry("out", event.type, event.created_at, str(event.id)) for event in published] + [
        TimelineEntry("in", event.event_type, event.processed_at, str(event.event_id), event.handler)
        for event in handled
    ]
    return sorted(entries, key=lambda entry: entry.at)
