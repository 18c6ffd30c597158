"""Checkout, the order state machine, and the checkout saga this service orchestrates.

The saga, driven from ``CheckoutSaga.state`` (docs/events.md has the picture):
``order.created`` asks inventory to reserve → ``inventory.reserved`` (state awaiting_stock →
awaiting_payment) publishes ``order.payment_requested``, the only event with the card token →
``payment.succeeded`` confirms (``order.confirmed``: inventory commits) and ``payment.failed``,
``inventory.reservation_failed`` or the deadline cancel (``order.cancelled``: inventory and
payment compensate). Each step reads the state first, so a duplicate or late reply is a no-op.
"""

import hashlib
import json
import logging
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cart.catalog import catalog_products_fetch_missing
from cart.models import Cart
from cart.selectors import cart_item_list, catalog_product_available_map
from cart.services import cart_clear
from ecom_common.errors import ConflictError
from ecom_common.events import event_publish
from ecom_common.money import MONEY_MAX
from orders.models import CancelReason, CheckoutSaga, Order, OrderLine, OrderStatus, OrderStatusChange, SagaState

logger = logging.getLogger(__name__)

# (from, to) → the reasons that allow the move (None: no reason).
TRANSITIONS: dict[tuple[str, str], frozenset[str | None]] = {
    (OrderStatus.PENDING, OrderStatus.CONFIRMED): frozenset({None}),
    (OrderStatus.PENDING, OrderStatus.CANCELLED): frozenset(CancelReason.values),
    # After payment: the customer changes their mind, or inventory finds the units truly gone
    # (inventory.commit_failed): refunded and cancelled, never confirmed without stock.
    (OrderStatus.CONFIRMED, OrderStatus.CANCELLED): frozenset(
        {CancelReason.CUSTOMER_REQUEST, CancelReason.OUT_OF_STOCK}
    ),
    # Fulfilment (orders/fulfilment.py): staff ship and deliver; every unit returned and refunded.
    (OrderStatus.CONFIRMED, OrderStatus.SHIPPED): frozenset({None}),
    (OrderStatus.SHIPPED, OrderStatus.DELIVERED): frozenset({None}),
    (OrderStatus.DELIVERED, OrderStatus.RETURNED): frozenset({None}),
}
# Once it has left the warehouse an order is returned, not cancelled.
SHIPPED_STATUSES = frozenset({OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED})
SAGA_STATE_AFTER = {OrderStatus.CONFIRMED: SagaState.COMPLETED, OrderStatus.CANCELLED: SagaState.COMPENSATING}


def _order_items_data(order: Order) -> list[dict]:
    return [{"product_id": str(line.product_id), "quantity": line.quantity} for line in order.lines.all()]


# ---------------------------------------------------------------------------
# The state machine
# ---------------------------------------------------------------------------
@transaction.atomic
def order_transition(*, order_id: uuid.UUID, status: str, reason: str | None = None) -> Order:
    """Moves the (locked) order to ``status``, records it, and announces it; illegal moves → ConflictError."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if reason not in TRANSITIONS.get((order.status, status), frozenset()):
        if status == OrderStatus.CANCELLED and order.status in SHIPPED_STATUSES:
            raise ConflictError(f"This order is {order.status}: it cannot be cancelled, return it instead.")
        because = f" ({reason})" if reason else ""
        raise ConflictError(f"An order cannot go from {order.status} to {status}{because}.")
    previous_status = order.status
    order.status = status
    order.cancel_reason = reason if status == OrderStatus.CANCELLED else None
    order.save(update_fields=["status", "cancel_reason", "updated_at"])
    OrderStatusChange.objects.create(order=order, status=status, reason=reason)
    saga = CheckoutSaga.objects.select_for_update().filter(order=order).first()
    if saga is not None and status in SAGA_STATE_AFTER:
        saga.state = SAGA_STATE_AFTER[status]
        saga.payment_token = ""  # a cancelled saga never asks for payment
        saga.save(update_fields=["state", "payment_token", "updated_at"])
    # The saga's correlation id, also when an API call or the timeout sweep moves the order.
    correlation_id = saga.correlation_id if saga is not None else None
    # Fulfilment's moves announce themselves (orders/fulfilment.py): they carry more than this.
    if status == OrderStatus.CONFIRMED:
        event_publish(
            type="order.confirmed",
            data={"order_id": str(order.id), "user_id": str(order.user_id), "items": _order_items_data(order)},
            correlation_id=correlation_id,
        )
    elif status == OrderStatus.CANCELLED:
        event_publish(
            type="order.cancelled",
            data={
                "order_id": str(order.id),
                "user_id": str(order.user_id),
                "reason": reason,
                "previous_status": previous_status,
                "items": _order_items_data(order),
            },
            correlation_id=correlation_id,
        )
    return order


def order_lock(order_id: uuid.UUID) -> Order | None:
    """The order, locked until the transaction ends: every step of one order runs one at a time."""
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        # Not ours (or another environment's): retrying cannot make it appear.
        logger.warning("event for an unknown order ignored", extra={"order_id": str(order_id)})
    return order


@transaction.atomic
def order_confirm_if_pending(*, order_id: uuid.UUID) -> Order | None:
    """Payment succeeded: a pending order whose saga asked for that payment is confirmed. A
    cancelled one stays cancelled (payment refunds on order.cancelled by itself); a confirmed one
    is a duplicate. A success the saga never asked for (its stock not held yet) is not trusted:
    the order stays pending and its deadline cancels it, which refunds the charge."""
    order = order_lock(order_id)
    if order is None or order.status != OrderStatus.PENDING:
        return order
    saga = CheckoutSaga.objects.filter(order=order).first()
    if saga is not None and saga.state != SagaState.AWAITING_PAYMENT:
        logger.warning("payment.succeeded before the saga asked for it; ignored", extra={"order_id": str(order_id)})
        return order
    return order_transition(order_id=order.id, status=OrderStatus.CONFIRMED)


@transaction.atomic
def order_cancel_for_missing_stock(*, order_id: uuid.UUID) -> Order | None:
    """Inventory could not commit a paid order's units (its reservation had lapsed and the stock
    is gone): the order is cancelled ``out_of_stock``, which refunds it. Once."""
    order = order_lock(order_id)
    if order is None or order.status != OrderStatus.CONFIRMED:
        return order
    return order_transition(order_id=order.id, status=OrderStatus.CANCELLED, reason=CancelReason.OUT_OF_STOCK)


@transaction.atomic
def order_cancel_if_pending(*, order_id: uuid.UUID, reason: str) -> Order | None:
    """A saga failure (stock, payment, timeout) cancels the order only while it is pending."""
    order = order_lock(order_id)
    if order is None or order.status != OrderStatus.PENDING:
        return order
    return order_transition(order_id=order.id, status=OrderStatus.CANCELLED, reason=reason)


def order_cancel(*, order_id: uuid.UUID) -> Order:
    """The customer (or staff) cancels a pending or confirmed order; a cancelled one → ConflictError."""
    return order_transition(order_id=order_id, status=OrderStatus.CANCELLED, reason=CancelReason.CUSTOMER_REQUEST)


# ---------------------------------------------------------------------------
# Saga steps
# ---------------------------------------------------------------------------
@transaction.atomic
def saga_stock_reserved(*, order_id: uuid.UUID) -> CheckoutSaga | None:
    """Stock is held: ask payment to charge (``order.payment_requested``, carrying the token the
    saga held until now, then forgets it). Only from awaiting_stock, while the order is pending:
    a duplicate reply, or one for an order cancelled meanwhile (deadline, customer), does nothing."""
    order = order_lock(order_id)
    saga = CheckoutSaga.objects.select_for_update().filter(order_id=order_id).first()
    if order is None or saga is None or saga.state != SagaState.AWAITING_STOCK:
        return saga
    if order.status != OrderStatus.PENDING:
        return saga
    event_publish(
        type="order.payment_requested",
        data={
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "amount": str(order.total),
            "currency": order.currency,
            # Scrubbed from the outbox once published (settings.EVENT_SECRET_FIELDS).
            "payment_token": saga.payment_token,
        },
        correlation_id=saga.correlation_id,
    )
    saga.state = SagaState.AWAITING_PAYMENT
    saga.payment_token = ""
    saga.save(update_fields=["state", "payment_token", "updated_at"])
    return saga


@transaction.atomic
def saga_step_record(*, order_id: uuid.UUID) -> CheckoutSaga | None:
    """A step with no effect on the order (stock committed or released, refund): the inbox row
    is its record in the timeline; the saga notes that it moved."""
    saga = CheckoutSaga.objects.select_for_update().filter(order_id=order_id).first()
    if saga is not None:
        saga.save(update_fields=["updated_at"])
    return saga


def saga_expire_overdue(*, now: datetime | None = None) -> int:
    """Cancels (payment_timeout) every pending order whose saga deadline has passed; returns how many."""
    now = now or timezone.now()
    overdue = Order.objects.filter(status=OrderStatus.PENDING, saga__deadline__lte=now).values_list("id", flat=True)
    expired = 0
    for order_id in list(overdue):
        # One transaction per order: a payment landing meanwhile wins or loses cleanly on the lock.
        order = order_cancel_if_pending(order_id=order_id, reason=CancelReason.PAYMENT_TIMEOUT)
        if order is not None and order.cancel_reason == CancelReason.PAYMENT_TIMEOUT:
            expired += 1
    return expired


# ---------------------------------------------------------------------------
# Checkout
# ---------------------------------------------------------------------------
def _request_hash(
    *,
    items: list[tuple[uuid.UUID, int]] | None,
    cart_items: list[tuple[uuid.UUID, int]],
    shipping_address: dict,
    payment_token: str,
) -> str:
    """SHA-256 of the request as checkout understood it: the body plus the cart contents it used."""
    canonical = {
        "items": None if items is None else sorted([str(product_id), quantity] for product_id, quantity in items),
        "cart_items": sorted([str(product_id), quantity] for product_id, quantity in cart_items),
        "shipping_address": shipping_address,
        "payment_token": payment_token,
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _order_by_key(*, user_id: str, idempotency_key: uuid.UUID) -> Order | None:
    return Order.objects.filter(user_id=user_id, idempotency_key=idempotency_key).first()


def _order_replay(
    *, order: Order, items: list[tuple[uuid.UUID, int]] | None, shipping_address: dict, payment_token: str
) -> Order:
    """The order a repeated request made before, if the request is the same one; else ConflictError."""
    # The cart it used is gone (emptied by that checkout): its lines are what it held.
    cart_items = [] if items is not None else [(line.product_id, line.quantity) for line in order.lines.all()]
    candidate = _request_hash(
        items=items, cart_items=cart_items, shipping_address=shipping_address, payment_token=payment_token
    )
    if candidate != order.request_hash:
        raise ConflictError("This Idempotency-Key was already used for a different request.")
    return order


def order_place(
    *,
    user_id: str,
    idempotency_key: uuid.UUID,
    shipping_address: dict,
    payment_token: str,
    items: list[dict] | None = None,
) -> Order:
    """Places an order for ``items`` (or the caller's cart) and starts its checkout saga.

    Idempotent per (user, key): the same request returns the same order, another one is a
    ConflictError. The unique constraint decides between concurrent twins.
    """
    wanted = None if items is None else [(item["product_id"], item["quantity"]) for item in items]
    request = {"items": wanted, "shipping_address": shipping_address, "payment_token": payment_token}
    existing = _order_by_key(user_id=user_id, idempotency_key=idempotency_key)
    if existing is not None:
        return _order_replay(order=existing, **request)
    if wanted:  # before the transaction: an HTTP call never holds the cart's lock
        catalog_products_fetch_missing(product_ids=[product_id for product_id, _ in wanted])
    try:
        return _order_create(user_id=user_id, idempotency_key=idempotency_key, **request)
    except IntegrityError:
        existing = _order_by_key(user_id=user_id, idempotency_key=idempotency_key)
        if existing is None:
            raise
        return _order_replay(order=existing, **request)


@transaction.atomic
def _order_create(
    *,
    user_id: str,
    idempotency_key: uuid.UUID,
    items: list[tuple[uuid.UUID, int]] | None,
    shipping_address: dict,
    payment_token: str,
) -> Order:
    # Checkouts of one user queue on their cart, so a twin that just emptied it is seen below.
    cart = Cart.objects.select_for_update().filter(user_id=user_id).first()
    existing = _order_by_key(user_id=user_id, idempotency_key=idempotency_key)
    if existing is not None:
        return _order_replay(
            order=existing, items=items, shipping_address=shipping_address, payment_token=payment_token
        )

    if items is None:
        cart_items = [(item.product_id, item.quantity) for item in (cart_item_list(cart=cart) if cart else [])]
        if not cart_items:
            raise ValidationError({"items": ValidationError("Your cart is empty.", code="cart_empty")})
        wanted = cart_items
    else:
        cart_items = []
        wanted = items
    products = _checkout_products_validate(wanted=wanted)

    lines = [
        OrderLine(
            product_id=product_id,
            name=products[product_id].name,
            unit_price=products[product_id].price,
            quantity=quantity,
            line_total=products[product_id].price * quantity,
        )
        for product_id, quantity in wanted
    ]
    total = sum((line.line_total for line in lines), Decimal("0.00"))
    if total > MONEY_MAX:
        raise ValidationError(
            {"items": ValidationError(f"An order's total cannot exceed {MONEY_MAX}.", code="total_too_large")}
        )
    order = Order(
        user_id=user_id,
        idempotency_key=idempotency_key,
        request_hash=_request_hash(
            items=items, cart_items=cart_items, shipping_address=shipping_address, payment_token=payment_token
        ),
        total=total,
        currency=products[wanted[0][0]].currency,
        shipping_address=shipping_address,
    )
    order.save(force_insert=True)  # a concurrent twin with the same key fails here
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    OrderStatusChange.objects.create(order=order, status=OrderStatus.PENDING)
    event = event_publish(
        type="order.created",
        data={
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "items": [
                {"product_id": str(line.product_id), "quantity": line.quantity, "unit_price": str(line.unit_price)}
                for line in lines
            ],
            "total": str(order.total),
            "currency": order.currency,
        },
    )
    CheckoutSaga.objects.create(
        order=order,
        payment_token=payment_token,
        deadline=order.created_at + timedelta(seconds=settings.ORDER_PAYMENT_TIMEOUT_SECONDS),
        correlation_id=event.correlation_id,
    )
    if items is None:
        cart_clear(cart=cart)
    return order


def _checkout_products_validate(*, wanted: list[tuple[uuid.UUID, int]]) -> dict:
    """The catalog copy's products for ``wanted``: each available, once, and all in one currency."""
    product_ids = [product_id for product_id, _ in wanted]
    if len(set(product_ids)) != len(product_ids):
        raise ValidationError({"items": ValidationError("List each product once.", code="duplicate_product")})
    products = catalog_product_available_map(product_ids=product_ids)
    unavailable = {
        f"items.{index}.product_id": ValidationError("This product is not available.", code="unavailable")
        for index, product_id in enumerate(product_ids)
        if product_id not in products
    }
    if unavailable:
        raise ValidationError(unavailable)
    if len({product.currency for product in products.values()}) > 1:
        mismatch = ValidationError("All items of an order must share one currency.", code="currency_mismatch")
        raise ValidationError({"items": mismatch})
    return products
