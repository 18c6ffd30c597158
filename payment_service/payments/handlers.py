"""The saga's events, as payment_service consumes them; each calls one service."""

from decimal import Decimal

from ecom_common.events import Event, event_handler
from ecom_common.money import DEFAULT_CURRENCY
from payments import services


@event_handler("order.created")
def order_created(event: Event) -> None:
    data = event.data
    services.payment_prepare(
        order_id=data["order_id"],
        user_id=data["user_id"],
        amount=Decimal(str(data["total"])),
        currency=data.get("currency") or DEFAULT_CURRENCY,
        token=data.get("payment_token") or "",
    )


@event_handler("inventory.reserved")
def inventory_reserved(event: Event) -> None:
    services.payment_stock_reserved(order_id=event.data["order_id"])


@event_handler("order.cancelled")
def order_cancelled(event: Event) -> None:
    services.payment_cancel(order_id=event.data["order_id"])
