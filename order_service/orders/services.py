"""Checkout, the order state machine, and the checkout saga this service orchestrates.

The saga, driven from ``CheckoutSaga.state`` (docs/events.md has the picture):
``order.created`` asks inventory to reserve → ``inventory.reserved`` (state awaiting_stock →
awaiting_payment) publishes ``order.payment_requested``, the only event with the card token →
``payment.succeeded`` confirms (``order.confirmed``: inventory commits) and ``payment.failed``,
``inventory.reservation_failed`` or the deadline cancel (``order.cancelled``: inventory and
payment compensate). Each step reads the state first, so a duplicate or late reply is a no-op.
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cart.catalog import catalog_products_fetch_missing, catalog_variant_choose
from cart.models import Cart, CatalogVariant
from cart.selectors import cart_item_list
from cart.services import cart_clear
from ecom_common.errors import ConflictError
from ecom_common.events import event_publish
from ecom_common.idempotency import idempotency_key_reused, request_fingerprint
from ecom_common.money import MONEY_MAX
from orders.models import (
    CancelReason,
    CheckoutSaga,
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    RefundStatus,
    SagaState,
)
from pricing import services as pricing

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


def customer_save(*, user_id: uuid.UUID, email: str, name: str | None = None, only_if_new: bool = False) -> None:
    """The customer as the identity service last described them (``only_if_new``: a checkout's
    token, which must not overwrite what a newer event said)."""
    if only_if_new:
        # Concurrent checkouts of one customer: the first insert wins, the others change nothing.
        Customer.objects.bulk_create([Customer(user_id=user_id, email=email)], ignore_conflicts=True)
        return
    fields = {"email": email} if name is None else {"email": email, "name": name}
    customer = Customer.objects.filter(user_id=user_id).first()
    if customer is None:
        Customer.objects.create(user_id=user_id, **fields)
    elif any(getattr(customer, field) != value for field, value in fields.items()):
        # Only a real change is written: a redelivered event leaves the row as it was.
        Customer.objects.filter(user_id=user_id).update(**fields, updated_at=timezone.now())


def order_items_data(order: Order) -> list[dict]:
    """The lines as events carry them: what inventory needs, and what a receipt shows."""
    return [
        {
            "variant_id": str(line.variant_id),
            "product_id": str(line.product_id),
            "quantity": line.quantity,
            "sku": line.sku,
            "name": line.name,
            "unit_price": str(line.unit_price),
            "line_total": str(line.line_total),
        }
        for line in order.lines.all()
    ]


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
    if status == OrderStatus.CANCELLED and previous_status == OrderStatus.CONFIRMED and order.total > 0:
        order.refund_status = RefundStatus.PENDING  # paid: payment refunds it on order.cancelled
    order.save(update_fields=["status", "cancel_reason", "refund_status", "updated_at"])
    OrderStatusChange.objects.create(order=order, status=status, reason=reason)
    saga = CheckoutSaga.objects.select_for_update().filter(order=order).first()
    if saga is not None and status in SAGA_STATE_AFTER:
        saga.state = SAGA_STATE_AFTER[status]
        saga.payment_token = ""  # a cancelled saga never asks for payment
        if status == OrderStatus.CANCELLED:
            saga.compensating_since = timezone.now()
        saga.save(update_fields=["state", "payment_token", "compensating_since", "updated_at"])
    # The saga's correlation id, also when an API call or the timeout sweep moves the order.
    correlation_id = saga.correlation_id if saga is not None else None
    # Fulfilment's moves announce themselves (orders/fulfilment.py): they carry more than this.
    if status == OrderStatus.CONFIRMED:
        event_publish(
            type="order.confirmed",
            data={
                "order_id": str(order.id),
                "user_id": str(order.user_id),
                "items": order_items_data(order),
                **order.pricing,  # the breakdown the customer was charged
            },
            correlation_id=correlation_id,
        )
    elif status == OrderStatus.CANCELLED:
        pricing.voucher_use_release(order_id=order.id)
        event_publish(
            type="order.cancelled",
            data={
                "order_id": str(order.id),
                "user_id": str(order.user_id),
                "reason": reason,
                "previous_status": previous_status,
                "items": order_items_data(order),
                # What the customer paid, refunded in full after a confirmation (the mail says so).
                "total": str(order.total),
                "currency": order.currency,
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


class Participant:
    """Who compensates a cancelled order, and the saga's field for their answer."""

    STOCK = "stock_compensated_at"
    PAYMENT = "payment_compensated_at"


@transaction.atomic
def saga_compensation_record(*, order_id: uuid.UUID, participant: str) -> CheckoutSaga | None:
    """A participant answered the order's cancellation (``Participant.STOCK``: inventory.released
    or inventory.restocked; ``Participant.PAYMENT``: payment.voided or a cancellation's
    payment.refunded). Once both have, the saga is ``compensated``."""
    saga = CheckoutSaga.objects.select_for_update().filter(order_id=order_id).first()
    if saga is None:
        return None
    if getattr(saga, participant) is None:
        setattr(saga, participant, timezone.now())
    if saga.state == SagaState.COMPENSATING and saga.stock_compensated_at and saga.payment_compensated_at:
        saga.state = SagaState.COMPENSATED
    saga.save(update_fields=["state", participant, "updated_at"])
    return saga


@transaction.atomic
def order_stock_committed_record(*, order_id: uuid.UUID) -> Order | None:
    """Inventory committed the order's units (``inventory.committed``): it may ship now."""
    order = order_lock(order_id)
    if order is not None and order.stock_committed_at is None:
        order.stock_committed_at = timezone.now()
        order.save(update_fields=["stock_committed_at", "updated_at"])
    saga_step_record(order_id=order_id)
    return order


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
Item = tuple[str, int]  # ("<product id>" or "variant:<variant id>", quantity): an item as the customer named it


def _named_items(items: list[dict]) -> list[Item]:
    """The request's items as named: a product by its id (as before variants, so the requests of
    that time still hash the same), a variant as ``variant:<id>``."""
    return [
        (f"variant:{item['variant_id']}" if item.get("variant_id") else str(item["product_id"]), item["quantity"])
        for item in items
    ]


def _request_hash(
    *,
    items: list[Item] | None,
    cart_items: list[tuple[uuid.UUID, int]],
    shipping_address: dict,
    payment_token: str,
    voucher_code: str | None = None,
    shipping_method_id: uuid.UUID | None = None,
) -> str:
    """SHA-256 of the request as checkout understood it: the body plus the cart contents it used.
    (The pricing choices count only when made, so a request from before pricing hashes the same.)"""
    canonical = {
        "items": None if items is None else sorted([name, quantity] for name, quantity in items),
        "cart_items": sorted([str(variant_id), quantity] for variant_id, quantity in cart_items),
        "shipping_address": shipping_address,
        "payment_token": payment_token,
    }
    if voucher_code:
        canonical["voucher_code"] = voucher_code.strip().upper()
    if shipping_method_id:
        canonical["shipping_method_id"] = str(shipping_method_id)
    return request_fingerprint(canonical)


def _order_by_key(*, user_id: str, idempotency_key: uuid.UUID) -> Order | None:
    return Order.objects.filter(user_id=user_id, idempotency_key=idempotency_key).first()


def _order_replay(
    *,
    order: Order,
    items: list[dict] | None,
    shipping_address: dict,
    payment_token: str,
    voucher_code: str | None = None,
    shipping_method_id: uuid.UUID | None = None,
) -> Order:
    """The order a repeated request made before, if the request is the same one; else ConflictError."""
    # The cart it used is gone (emptied by that checkout): its lines are what it held.
    cart_items = [] if items is not None else [(line.variant_id, line.quantity) for line in order.lines.all()]
    candidate = _request_hash(
        items=None if items is None else _named_items(items),
        cart_items=cart_items,
        shipping_address=shipping_address,
        payment_token=payment_token,
        voucher_code=voucher_code,
        shipping_method_id=shipping_method_id,
    )
    if candidate != order.request_hash:
        raise idempotency_key_reused()
    return order


def order_place(
    *,
    user_id: str,
    idempotency_key: uuid.UUID,
    shipping_address: dict,
    payment_token: str,
    items: list[dict] | None = None,
    voucher_code: str | None = None,
    shipping_method_id: uuid.UUID | None = None,
) -> Order:
    """Places an order for ``items`` (each ``{variant_id or product_id, quantity}``) or the
    caller's cart, priced with ``voucher_code`` and ``shipping_method_id`` (for a cart checkout,
    the cart's unless given), and starts its checkout saga.

    Idempotent per (user, key): the same request returns the same order, another one is a
    ConflictError. The unique constraint decides between concurrent twins.
    """
    request = {
        "items": items,
        "shipping_address": shipping_address,
        "payment_token": payment_token,
        "voucher_code": voucher_code or None,
        "shipping_method_id": shipping_method_id,
    }
    existing = _order_by_key(user_id=user_id, idempotency_key=idempotency_key)
    if existing is not None:
        return _order_replay(order=existing, **request)
    if items:  # before the transaction: an HTTP call never holds the cart's lock
        catalog_products_fetch_missing(product_ids=[item.get("variant_id") or item["product_id"] for item in items])
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
    items: list[dict] | None,
    shipping_address: dict,
    payment_token: str,
    voucher_code: str | None,
    shipping_method_id: uuid.UUID | None,
) -> Order:
    # Checkouts of one user queue on their cart, so a twin that just emptied it is seen below.
    cart = Cart.objects.select_for_update().filter(user_id=user_id).first()
    existing = _order_by_key(user_id=user_id, idempotency_key=idempotency_key)
    request = {
        "items": items,
        "shipping_address": shipping_address,
        "payment_token": payment_token,
        "voucher_code": voucher_code,
        "shipping_method_id": shipping_method_id,
    }
    if existing is not None:
        return _order_replay(order=existing, **request)

    if items is None:
        cart_lines = cart_item_list(cart=cart) if cart else []
        if not cart_lines:
            raise ValidationError({"items": ValidationError("Your cart is empty.", code="cart_empty")})
        cart_items = [(item.variant_id, item.quantity) for item in cart_lines]
        voucher_code = voucher_code or cart.voucher_code or None
        shipping_method_id = shipping_method_id or cart.shipping_method_id
        wanted = _checkout_variants_validate(
            chosen=[(item.variant if item.variant.is_available else None, item.quantity) for item in cart_lines],
            fields=[f"items.{index}.variant_id" for index in range(len(cart_lines))],
        )
    else:
        cart_items = []
        wanted = _checkout_variants_validate(chosen=_items_choose(items), fields=_item_fields(items), items=items)

    currency = wanted[0][0].currency
    priced = pricing.price_lines(
        lines=pricing.price_lines_of(wanted),
        currency=currency,
        destination=pricing.Destination.of(shipping_address),
        user_id=user_id,
        voucher_code=voucher_code,
        shipping_method_id=shipping_method_id,
        for_checkout=True,
    )
    breakdown = priced.breakdown
    lines = [
        OrderLine(
            variant_id=variant.variant_id,
            product_id=variant.product_id,
            sku=variant.sku,
            name=variant.display_name,
            unit_price=variant.price,
            quantity=quantity,
            line_total=variant.price * quantity,
            discount_total=breakdown.line(str(variant.variant_id)).discount,
            tax_total=breakdown.line(str(variant.variant_id)).tax,
            paid_total=breakdown.line_paid(str(variant.variant_id)),
        )
        for variant, quantity in wanted
    ]
    total = breakdown.total
    if total > MONEY_MAX:
        raise ValidationError(
            {"items": ValidationError(f"An order's total cannot exceed {MONEY_MAX}.", code="total_too_large")}
        )
    order = Order(
        user_id=user_id,
        idempotency_key=idempotency_key,
        request_hash=_request_hash(
            items=None if items is None else _named_items(items),
            cart_items=cart_items,
            shipping_address=shipping_address,
            payment_token=payment_token,
            voucher_code=request["voucher_code"],
            shipping_method_id=request["shipping_method_id"],
        ),
        subtotal=breakdown.subtotal,
        discount_total=breakdown.discount_total,
        shipping_total=breakdown.shipping_total,
        tax_total=breakdown.tax_total,
        total=total,
        currency=currency,
        voucher_code=priced.voucher.code if priced.voucher else "",
        shipping_method_id=priced.shipping_method.id if priced.shipping_method else None,
        shipping_method_name=priced.shipping_method.name if priced.shipping_method else "",
        pricing=pricing.breakdown_data(priced),
        shipping_address=shipping_address,
    )
    order.save(force_insert=True)  # a concurrent twin with the same key fails here
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    pricing.voucher_use_take(priced=priced, order_id=order.id, user_id=user_id)
    OrderStatusChange.objects.create(order=order, status=OrderStatus.PENDING)
    event = event_publish(
        type="order.created",
        data={
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "items": [
                {
                    "variant_id": str(line.variant_id),
                    "product_id": str(line.product_id),
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                }
                for line in lines
            ],
            **pricing.breakdown_data(priced),
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


def _item_fields(items: list[dict]) -> list[str]:
    """Where each item's error goes: the field the customer named it by."""
    return [f"items.{i}.{'variant_id' if item.get('variant_id') else 'product_id'}" for i, item in enumerate(items)]


def _items_choose(items: list[dict]) -> list[tuple[CatalogVariant | ValidationError, int]]:
    """Each item's variant, or the reason it has none."""
    chosen = []
    for item in items:
        try:
            variant = catalog_variant_choose(variant_id=item.get("variant_id"), product_id=item.get("product_id"))
        except ValidationError as error:
            variant = error
        chosen.append((variant, item["quantity"]))
    return chosen


def _checkout_variants_validate(*, chosen: list, fields: list[str], items: list[dict] | None = None) -> list:
    """The (variant, quantity) pairs to order: each variant available, once, all in one currency;
    every item's problem is reported at once, on the field it was named by."""
    problems = {}
    for field, (variant, _) in zip(fields, chosen, strict=True):
        if variant is None:
            problems[field] = ValidationError("This product is not available.", code="unavailable")
        elif isinstance(variant, ValidationError):
            problems[field] = variant
    if problems:
        raise ValidationError(problems)
    variant_ids = [variant.variant_id for variant, _ in chosen]
    if len(set(variant_ids)) != len(variant_ids):
        raise ValidationError({"items": ValidationError("List each product once.", code="duplicate_product")})
    if len({variant.currency for variant, _ in chosen}) > 1:
        mismatch = ValidationError("All items of an order must share one currency.", code="currency_mismatch")
        raise ValidationError({"items": mismatch})
    return chosen
