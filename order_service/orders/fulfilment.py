"""After checkout: staff ship and deliver an order, customers return some of it, staff receive
the return, payment refunds exactly what came back and inventory restocks it.

Every step is a move of the order state machine (orders/services.py ``order_transition``) or
of a return's status, taken under the order's row lock, and announces itself with an event.
"""

import uuid
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ecom_common.errors import ConflictError, NotFoundError
from ecom_common.events import event_publish
from ecom_common.idempotency import idempotency_key_reused
from ecom_common.money import cents
from orders.models import Order, OrderReturn, OrderReturnLine, OrderStatus, RefundStatus, ReturnStatus, Shipment
from orders.services import Participant, order_items_data, order_lock, order_transition, saga_compensation_record


def _correlation_id(order: Order) -> str | None:
    saga = getattr(order, "saga", None)
    return saga.correlation_id if saga is not None else None


# ---------------------------------------------------------------------------
# Shipping and delivery (staff)
# ---------------------------------------------------------------------------
@transaction.atomic
def order_ship(*, order_id: uuid.UUID, carrier: str, tracking_number: str) -> Order:
    """A confirmed order leaves the warehouse: ``order.shipped`` with its tracking number.
    Shipping it again with the same tracking is a no-op; anything else is a ConflictError, and
    so is shipping before inventory committed its stock (``stock_not_committed``): units still
    only reserved could be released by their reservation's lapse after they left."""
    order = order_lock(order_id)
    shipment = Shipment.objects.filter(order=order).first()
    if shipment is not None and (shipment.carrier, shipment.tracking_number) == (carrier, tracking_number):
        return order
    if order.status == OrderStatus.CONFIRMED and order.stock_committed_at is None:
        raise ConflictError(
            "Inventory has not committed this order's stock yet; ship it once it has (usually seconds).",
            code="stock_not_committed",
        )
    order = order_transition(order_id=order.id, status=OrderStatus.SHIPPED)
    shipment = Shipment.objects.create(order=order, carrier=carrier, tracking_number=tracking_number)
    event_publish(
        type="order.shipped",
        data={
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "carrier": carrier,
            "tracking_number": tracking_number,
            "shipped_at": shipment.shipped_at.isoformat(),
        },
        correlation_id=_correlation_id(order),
    )
    return order


@transaction.atomic
def order_deliver(*, order_id: uuid.UUID) -> Order:
    """A shipped order reached the customer: ``order.delivered``; the return window opens.
    Delivering a delivered order again is a no-op."""
    order = order_lock(order_id)
    if order.status == OrderStatus.DELIVERED:
        return order
    order = order_transition(order_id=order.id, status=OrderStatus.DELIVERED)
    order.delivered_at = timezone.now()
    order.save(update_fields=["delivered_at", "updated_at"])
    event_publish(
        type="order.delivered",
        data={
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "delivered_at": order.delivered_at.isoformat(),
            # What was delivered: the catalog lets its buyers review these products.
            "items": order_items_data(order),
        },
        correlation_id=_correlation_id(order),
    )
    return order


# ---------------------------------------------------------------------------
# Returns
# ---------------------------------------------------------------------------
def returnable_units(order: Order) -> dict[uuid.UUID, int]:
    """Units of each line (by its public id) not yet in a return."""
    returned = Counter()
    for line in OrderReturnLine.objects.filter(order_return__order=order).select_related("order_line"):
        returned[line.order_line.public_id] += line.quantity
    return {line.public_id: line.quantity - returned[line.public_id] for line in order.lines.all()}


def return_refund_amount(order: Order, *, returnable: dict[uuid.UUID, int], wanted: Counter) -> Decimal:
    """What the customer paid for the ``wanted`` units: each line's ``paid_total`` (after its
    discounts, with its tax) prorated by units, rounded on the running count so a line returned in
    several parcels gives back exactly what it cost; the return that brings the last unit back
    also refunds shipping (whatever of the total is not refunded yet)."""
    refund = Decimal("0.00")
    for line in order.lines.all():
        taken = wanted.get(line.public_id, 0)
        if not taken:
            continue
        before = line.quantity - returnable[line.public_id]
        refund += cents(line.paid_total * (before + taken) / line.quantity) - cents(
            line.paid_total * before / line.quantity
        )
    if sum(returnable.values()) == sum(wanted.values()):
        already = sum((r.refund_amount for r in order.returns.all()), Decimal("0.00"))
        refund = order.total - already
    return refund


def _return_items(order_return: OrderReturn) -> list[dict]:
    return [
        {
            "variant_id": str(line.order_line.variant_id),
            "product_id": str(line.order_line.product_id),
            "quantity": line.quantity,
        }
        for line in order_return.lines.select_related("order_line")
    ]


@transaction.atomic
def return_request(
    *, order_id: uuid.UUID, user_id: str, lines: list[dict], reason: str = "", idempotency_key: uuid.UUID | None = None
) -> OrderReturn:
    """The customer sends back ``lines`` (``[{line_id, quantity}]``) of a delivered order within
    RETURN_WINDOW_DAYS. More units than bought, counting earlier returns, is a 400. The refund is
    what the customer paid for those units (``return_refund_amount``)."""
    order = order_lock(order_id)
    if order is None or str(order.user_id) != str(user_id):
        raise NotFoundError("No such order.")
    if idempotency_key is not None:
        existing = OrderReturn.objects.filter(order=order, idempotency_key=idempotency_key).first()
        if existing is not None:
            return _return_replay(existing, lines=lines, reason=reason)
    if order.status != OrderStatus.DELIVERED:
        raise ConflictError(
            f"Only a delivered order can be returned; this one is {order.status}.", code="not_returnable"
        )
    if timezone.now() > order.delivered_at + timedelta(days=settings.RETURN_WINDOW_DAYS):
        raise ConflictError(
            f"The return window ({settings.RETURN_WINDOW_DAYS} days from delivery) has closed.",
            code="return_window_closed",
        )
    returnable = returnable_units(order)
    by_line = {line.public_id: line for line in order.lines.all()}
    wanted = Counter()
    for index, item in enumerate(lines):
        if item["line_id"] not in by_line:
            raise ValidationError(
                {f"lines.{index}.line_id": ValidationError("No such line in this order.", code="unknown_line")}
            )
        wanted[item["line_id"]] += item["quantity"]
    too_many = {
        f"lines.{index}.quantity": ValidationError(
            f"Only {returnable[item['line_id']]} unit(s) of this line can still be returned.", code="too_many"
        )
        for index, item in enumerate(lines)
        if wanted[item["line_id"]] > returnable[item["line_id"]]
    }
    if too_many:
        raise ValidationError(too_many)
    refund = return_refund_amount(order, returnable=returnable, wanted=wanted)
    order_return = OrderReturn(order=order, reason=reason, refund_amount=refund, idempotency_key=idempotency_key)
    order_return.save(force_insert=True)
    OrderReturnLine.objects.bulk_create(
        OrderReturnLine(order_return=order_return, order_line=by_line[line_id], quantity=quantity)
        for line_id, quantity in wanted.items()
    )
    event_publish(
        type="order.return_requested",
        data={
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "return_id": str(order_return.id),
            "items": _return_items(order_return),
            "refund_amount": str(refund),
            "currency": order.currency,
            "reason": reason,
        },
        correlation_id=_correlation_id(order),
    )
    return order_return


def _return_replay(order_return: OrderReturn, *, lines: list[dict], reason: str) -> OrderReturn:
    """The return a repeated request made before, if it asks for the same units for the same
    reason; else the key was reused (409 ``idempotency_key_reused``)."""
    asked = Counter()
    for item in lines:
        asked[item["line_id"]] += item["quantity"]
    made = Counter()
    for line in order_return.lines.select_related("order_line"):
        made[line.order_line.public_id] += line.quantity
    if asked != made or reason != order_return.reason:
        raise idempotency_key_reused()
    return order_return


def return_request_once(**request) -> OrderReturn:
    """``return_request``, where a concurrent twin with the same key finds the first one."""
    try:
        return return_request(**request)
    except IntegrityError:
        if request.get("idempotency_key") is None:
            raise
        first = OrderReturn.objects.get(order_id=request["order_id"], idempotency_key=request["idempotency_key"])
        return _return_replay(first, lines=request["lines"], reason=request.get("reason", ""))


@transaction.atomic
def return_receive(*, order_id: uuid.UUID, return_id: uuid.UUID) -> OrderReturn:
    """Staff have the parcel: ``order.return_received`` asks payment to refund ``refund_amount``
    and inventory to restock the units. Receiving it again is a no-op."""
    order = order_lock(order_id)
    order_return = OrderReturn.objects.select_for_update().filter(order=order, pk=return_id).first()
    if order is None or order_return is None:
        raise NotFoundError("No such return.")
    if order_return.status != ReturnStatus.REQUESTED:
        return order_return
    order_return.status = ReturnStatus.RECEIVED
    order_return.received_at = timezone.now()
    order_return.save(update_fields=["status", "received_at"])
    order.refund_status = _refund_status_of_returns(order)
    order.save(update_fields=["refund_status", "updated_at"])
    event_publish(
        type="order.return_received",
        data={
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "return_id": str(order_return.id),
            "amount": str(order_return.refund_amount),
            "currency": order.currency,
            "items": _return_items(order_return),
            "reason": order_return.reason,
        },
        correlation_id=_correlation_id(order),
    )
    return order_return


def _refund_status_of_returns(order: Order) -> str:
    """A delivered order's refund status: ``pending`` while a received return with money owed
    waits for its refund, else ``refunded`` once anything came back, else ``none``."""
    if order.returns.filter(status=ReturnStatus.RECEIVED, refund_amount__gt=0).exists():
        return RefundStatus.PENDING
    return RefundStatus.REFUNDED if order.refunded_total > 0 else RefundStatus.NONE


@transaction.atomic
def order_refund_record(*, order_id: uuid.UUID, amount: Decimal, return_id: uuid.UUID | None) -> Order | None:
    """Payment refunded ``amount``: for a return, that return is refunded and the order's
    ``refunded_total`` grows by it (once); an order whose every unit came back is ``returned``.
    Without a return (a cancellation), the whole payment came back."""
    order = order_lock(order_id)
    if order is None:
        return None
    if return_id is None:  # the answer to the order's cancellation
        order.refunded_total = amount
        order.refund_status = RefundStatus.REFUNDED if amount > 0 else RefundStatus.NONE
        order.save(update_fields=["refunded_total", "refund_status", "updated_at"])
        saga_compensation_record(order_id=order.id, participant=Participant.PAYMENT)
        return order
    order_return = OrderReturn.objects.select_for_update().filter(order=order, pk=return_id).first()
    if order_return is None or order_return.status == ReturnStatus.REFUNDED:
        return order
    order_return.status = ReturnStatus.REFUNDED
    order_return.refunded_at = timezone.now()
    order_return.save(update_fields=["status", "refunded_at"])
    order.refunded_total += order_return.refund_amount
    order.refund_status = _refund_status_of_returns(order)
    order.save(update_fields=["refunded_total", "refund_status", "updated_at"])
    everything_back = not any(returnable_units(order).values())
    all_refunded = not order.returns.exclude(status=ReturnStatus.REFUNDED).exists()
    if everything_back and all_refunded and order.status == OrderStatus.DELIVERED:
        order = order_transition(order_id=order.id, status=OrderStatus.RETURNED)
    return order
