"""What the catalog learns from other services' events."""

from catalog import reviews
from ecom_common.events import Event, event_handler


@event_handler("order.delivered")
def purchases_record_on_order_delivered(event: Event) -> None:
    # Orders delivered before this event carried items have none: nothing to record.
    reviews.purchases_record(
        order_id=event.data["order_id"],
        user_id=event.data["user_id"],
        delivered_at=event.data["delivered_at"],
        items=event.data.get("items", []),
    )
