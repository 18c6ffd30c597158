"""The commands order_service's saga sends payment; each calls one service."""

from decimal import Decimal

from ecom_common.events import Event, event_handler
from ecom_common.money import DEFAULT_CURRENCY
from payments import services


@event_handler("order.payment_requested")
def payment_request_on_order_payment_requested(event: Event) -> None:
    data = event.data
    services.payment_request(
        order_id=data["order_id"],
        user_id=data["user_id"],
        amount=Decimal(str(data["amount"])),
        currency=data.get("currency") or DEFAULT_CURRENCY,
        token=data.get("payment_token") or "",
    )


@event_handler("order.return_received")
def payment_refund_on_return_received(event: Event) -> None:
    services.payment_refund_return(
        order_id=event.data["order_id"],
        return_id=event.data["return_id"],
        amount=Decimal(str(event.data["amount"])),
    )


@event_handler("order.cancelled")
def payment_cancel_on_order_cancelled(event: Event) -> None:
    services.payment_cancel(order_id=event.data["order_id"], user_id=event.data.get("user_id"))
