"""What inventory does when the catalog and the checkout saga announce something."""

from ecom_common.events import Event, event_handler
from stock import services


def _actor(event: Event) -> str:
    return f"event:{event.id}"


@event_handler("product.created", "product.updated")
def stock_create_on_product_created(event: Event) -> None:
    services.stock_create_for_product(product_id=event.data["product_id"], variants=event.data.get("variants"))


@event_handler("order.created")
def stock_reserve_on_order_created(event: Event) -> None:
    services.stock_reserve_for_order(order_id=event.data["order_id"], items=event.data["items"], actor=_actor(event))


@event_handler("order.confirmed")
def reservation_commit_on_order_confirmed(event: Event) -> None:
    services.reservation_commit_for_order(order_id=event.data["order_id"], actor=_actor(event))


# A handler of its own (its own transaction and retries): the order is known to be paid even
# while its commit fails and is retried, so the reservation's safety expiry never releases it.
@event_handler("order.confirmed")
def order_confirmation_record_on_order_confirmed(event: Event) -> None:
    services.order_confirmation_record(order_id=event.data["order_id"])


@event_handler("order.cancelled")
def reservation_release_on_order_cancelled(event: Event) -> None:
    services.reservation_release_for_order(
        order_id=event.data["order_id"], reason=event.data.get("reason") or "", actor=_actor(event)
    )


@event_handler("order.return_received")
def stock_restock_on_return_received(event: Event) -> None:
    services.stock_restock_for_return(
        order_id=event.data["order_id"],
        items=event.data["items"],
        reason=event.data.get("reason") or "",
        actor=_actor(event),
    )
