"""The replies of the checkout saga this service orchestrates: inventory's and payment's. Each
is a no-op on a duplicate (the inbox) and on a late or out-of-order reply (the services read the
saga's state first)."""

import uuid
from decimal import Decimal

from ecom_common.events import Event, event_handler
from orders import fulfilment, services
from orders.models import CancelReason


def _order_id(event: Event) -> uuid.UUID:
    return uuid.UUID(event.data["order_id"])


@event_handler("inventory.reserved")
def saga_on_stock_reserved(event: Event) -> None:
    services.saga_stock_reserved(order_id=_order_id(event))


@event_handler("inventory.reservation_failed")
def order_cancel_on_reservation_failed(event: Event) -> None:
    services.order_cancel_if_pending(order_id=_order_id(event), reason=CancelReason.OUT_OF_STOCK)


@event_handler("payment.succeeded")
def order_confirm_on_payment_succeeded(event: Event) -> None:
    services.order_confirm_if_pending(order_id=_order_id(event))


@event_handler("payment.failed")
def order_cancel_on_payment_failed(event: Event) -> None:
    services.order_cancel_if_pending(order_id=_order_id(event), reason=CancelReason.PAYMENT_DECLINED)


@event_handler("inventory.commit_failed")
def order_cancel_on_commit_failed(event: Event) -> None:
    services.order_cancel_for_missing_stock(order_id=_order_id(event))


@event_handler("payment.refunded")
def order_refund_record_on_payment_refunded(event: Event) -> None:
    return_id = event.data.get("return_id")
    fulfilment.order_refund_record(
        order_id=_order_id(event),
        amount=Decimal(str(event.data["amount"])),
        return_id=uuid.UUID(return_id) if return_id else None,
    )


@event_handler("inventory.committed")
def order_stock_committed_on_inventory_committed(event: Event) -> None:
    services.order_stock_committed_record(order_id=_order_id(event))


# One clock: the saga's deadline (orders.saga_expire_overdue) cancels an unpaid order; a
# reservation that expired only completes the timeline. Released or restocked for a
# cancellation: inventory's part of the compensation is done.
@event_handler("inventory.released", "inventory.restocked")
def saga_compensation_on_stock_returned(event: Event) -> None:
    if event.type == "inventory.restocked" or event.data.get("reason") == "order_cancelled":
        services.saga_compensation_record(order_id=_order_id(event), participant=services.Participant.STOCK)
    else:
        services.saga_step_record(order_id=_order_id(event))


@event_handler("payment.voided")
def saga_compensation_on_payment_voided(event: Event) -> None:
    """Nothing was charged (or the charge was declined): payment's part of the compensation is done."""
    services.saga_compensation_record(order_id=_order_id(event), participant=services.Participant.PAYMENT)


@event_handler("user.registered", "user.updated")
def customer_on_user_event(event: Event) -> None:
    services.customer_save(
        user_id=uuid.UUID(event.data["user_id"]), email=event.data["email"], name=event.data.get("name")
    )
