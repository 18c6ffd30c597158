"""Writes to stock: staff adjustments, and the reservations the checkout saga moves along.

Every change locks the Stock rows it touches with ``SELECT ... FOR UPDATE`` in variant_id
order (the same order everywhere, so two transactions never wait on each other in a cycle) and
writes one StockMovement per row it changes. The transitions of one order first lock that
order's InventoryOrder row, so they run one after another whatever order the events arrive in.
"""

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ecom_common.errors import ConflictError
from ecom_common.events import event_publish
from stock.models import InventoryOrder, Reservation, Stock, StockMovement

SYSTEM_ACTOR = "system"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _uuid(value, *, field: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as error:
        raise ValidationError({field: ValidationError("Enter a valid UUID.", code="invalid")}) from error


def _order_lines(items: Iterable[Mapping]) -> dict[uuid.UUID, int]:
    """``{variant_id: quantity}`` in variant_id order; the same variant twice is one line."""
    lines: dict[uuid.UUID, int] = {}
    for item in items:
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise ValidationError({"items": ValidationError("Each quantity is a positive integer.", code="invalid")})
        # Orders placed before variants name the product: its one variant has its id.
        variant_id = _uuid(item.get("variant_id") or item.get("product_id"), field="items")
        lines[variant_id] = lines.get(variant_id, 0) + quantity
    if not lines:
        raise ValidationError({"items": ValidationError("An order has at least one item.", code="empty")})
    return dict(sorted(lines.items()))


def _stocks_lock(*, variant_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Stock]:
    rows = Stock.objects.select_for_update().filter(variant_id__in=list(variant_ids)).order_by("variant_id")
    return {stock.variant_id: stock for stock in rows}


def _stock_change(
    *,
    stock: Stock,
    kind: str,
    actor: str,
    reason: str = "",
    on_hand_delta: int = 0,
    reserved_delta: int = 0,
    order_id: uuid.UUID | None = None,
    idempotency_key: str | None = None,
) -> StockMovement:
    """Applies the deltas to the locked ``stock``, records them, and announces crossing into low stock."""
    available_before = stock.available
    stock.on_hand += on_hand_delta
    stock.reserved += reserved_delta
    stock.save(update_fields=["on_hand", "reserved", "updated_at"])
    movement = StockMovement.objects.create(
        variant=stock,
        kind=kind,
        on_hand_delta=on_hand_delta,
        reserved_delta=reserved_delta,
        reason=reason[:255],
        actor=actor,
        order_id=order_id,
        idempotency_key=idempotency_key,
    )
    if available_before > stock.low_stock_threshold >= stock.available:
        event_publish(
            type="inventory.low_stock",
            data={
                "variant_id": str(stock.variant_id),
                "product_id": str(stock.product_id or stock.variant_id),
                "available": stock.available,
                "threshold": stock.low_stock_threshold,
            },
        )
    return movement


def _items_data(reservations: Iterable[Reservation]) -> list[dict]:
    return [{"variant_id": str(r.variant_id), "quantity": r.quantity} for r in reservations]


# ---------------------------------------------------------------------------
# Stock records and staff adjustments
# ---------------------------------------------------------------------------
@transaction.atomic
def stock_create_for_product(*, product_id: uuid.UUID | str, variants: list[dict] | None) -> list[Stock]:
    """A stock record per variant of the product, made empty where there is none yet, each
    knowing its product (on ``product.created`` and ``product.updated``: a new variant gets its
    record). An event from before variants names none: the product's own id is its one variant."""
    product_id = _uuid(product_id, field="product_id")
    variant_ids = [_uuid(v["variant_id"], field="variants") for v in variants] if variants else [product_id]
    stocks = []
    for variant_id in variant_ids:
        stock, created = Stock.objects.get_or_create(variant_id=variant_id, defaults={"product_id": product_id})
        if not created and stock.product_id != product_id:
            stock.product_id = product_id
            stock.save(update_fields=["product_id", "updated_at"])
        stocks.append(stock)
    return stocks


def stock_adjust(
    *,
    variant_id: uuid.UUID | str,
    delta: int,
    reason: str,
    actor: str,
    idempotency_key: str | None = None,
) -> Stock:
    """Adds ``delta`` (negative removes) to on_hand, creating the stock record if absent.

    A change that would leave less on hand than is reserved is a ValidationError on ``delta``.
    With ``idempotency_key``, a retry of the same adjustment returns the stock without
    applying it again; the key reused for another adjustment is a ConflictError.
    """
    try:
        return _stock_adjust(
            variant_id=_uuid(variant_id, field="variant_id"),
            delta=delta,
            reason=reason,
            actor=actor,
            idempotency_key=idempotency_key or None,
        )
    except IntegrityError as error:
        # Only a concurrent use of the same key on another variant gets here.
        raise ConflictError("This Idempotency-Key is being used for another adjustment.") from error


@transaction.atomic
def _stock_adjust(*, variant_id: uuid.UUID, delta: int, reason: str, actor: str, idempotency_key: str | None) -> Stock:
    if delta == 0:
        raise ValidationError(
            {"delta": ValidationError("An adjustment changes stock by at least one unit.", code="zero")}
        )
    Stock.objects.get_or_create(variant_id=variant_id)
    stock = Stock.objects.select_for_update().get(variant_id=variant_id)
    if idempotency_key:
        # Looked up under the row lock, so a concurrent retry waits for this one and then sees it.
        previous = StockMovement.objects.filter(idempotency_key=idempotency_key).first()
        if previous is not None:
            if previous.variant_id != variant_id or previous.on_hand_delta != delta:
                raise ConflictError("This Idempotency-Key was already used for a different adjustment.")
            return stock
    if stock.on_hand + delta < stock.reserved:
        raise ValidationError(
            {
                "delta": ValidationError(
                    "Not enough stock: %(available)s available, %(on_hand)s on hand.",
                    code="insufficient_stock",
                    params={"available": stock.available, "on_hand": stock.on_hand},
                )
            }
        )
    _stock_change(
        stock=stock,
        kind=StockMovement.Kind.ADJUSTMENT,
        on_hand_delta=delta,
        reason=reason,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return stock


# ---------------------------------------------------------------------------
# The checkout saga: reserve → commit | release (or restock) | expire
# ---------------------------------------------------------------------------
@transaction.atomic
def stock_reserve_for_order(*, order_id: uuid.UUID | str, items: Iterable[Mapping], actor: str) -> list[Reservation]:
    """Holds every line of the order, or none of them.

    Publishes ``inventory.reserved``, or ``inventory.reservation_failed`` listing the lines that
    lack stock. Does nothing for an order reserved before (whatever became of it since) or
    already cancelled.
    """
    order_id = _uuid(order_id, field="order_id")
    lines = _order_lines(items)
    order = InventoryOrder.objects.lock(order_id)
    if order.is_cancelled or Reservation.objects.filter(order_id=order_id).exists():
        return []
    stocks = _stocks_lock(variant_ids=lines)
    shortages = [
        {
            "variant_id": str(variant_id),
            "requested": quantity,
            "available": stocks[variant_id].available if variant_id in stocks else 0,
        }
        for variant_id, quantity in lines.items()
        if variant_id not in stocks or stocks[variant_id].available < quantity
    ]
    if shortages:
        event_publish(
            type="inventory.reservation_failed",
            data={"order_id": str(order_id), "reason": "out_of_stock", "items": shortages},
        )
        return []
    expires_at = timezone.now() + timedelta(seconds=settings.INVENTORY_RESERVATION_TTL_SECONDS)
    reservations = []
    for variant_id, quantity in lines.items():
        stock = stocks[variant_id]
        reservations.append(
            Reservation.objects.create(order_id=order_id, variant=stock, quantity=quantity, expires_at=expires_at)
        )
        _stock_change(
            stock=stock,
            kind=StockMovement.Kind.RESERVATION,
            reserved_delta=quantity,
            reason="reserved for order",
            actor=actor,
            order_id=order_id,
        )
    event_publish(
        type="inventory.reserved",
        data={"order_id": str(order_id), "items": _items_data(reservations), "expires_at": _iso(expires_at)},
    )
    return reservations


@transaction.atomic
def reservation_commit_for_order(*, order_id: uuid.UUID | str, actor: str) -> list[Reservation]:
    """A paid order's units leave the shelf (on ``order.confirmed``): ``inventory.committed``.

    A confirmed order always ends with its stock committed. A reservation that lapsed under the
    safety expiry takes its units again from what is available; when they are truly gone,
    ``inventory.commit_failed`` lists them and nothing is taken (order_service then refunds and
    cancels the order, and order.cancelled releases what is still held). A duplicate, or an
    order already cancelled, does nothing.
    """
    order_id = _uuid(order_id, field="order_id")
    order = InventoryOrder.objects.lock(order_id)
    reservations = list(Reservation.objects.filter(order_id=order_id).order_by("variant_id"))
    statuses = {reservation.status for reservation in reservations}
    if order.is_cancelled or not reservations or Reservation.Status.COMMITTED in statuses:
        return []
    to_commit = [r for r in reservations if r.status in (Reservation.Status.HELD, Reservation.Status.EXPIRED)]
    stocks = _stocks_lock(variant_ids=[r.variant_id for r in to_commit])
    shortages = [
        {"variant_id": str(r.variant_id), "requested": r.quantity, "available": stocks[r.variant_id].available}
        for r in to_commit
        if r.status == Reservation.Status.EXPIRED and stocks[r.variant_id].available < r.quantity
    ]
    if shortages:
        event_publish(
            type="inventory.commit_failed",
            data={"order_id": str(order_id), "reason": "out_of_stock", "items": shortages},
        )
        return []
    for reservation in to_commit:
        held = reservation.status == Reservation.Status.HELD
        reservation.status = Reservation.Status.COMMITTED
        reservation.save(update_fields=["status", "updated_at"])
        _stock_change(
            stock=stocks[reservation.variant_id],
            kind=StockMovement.Kind.COMMIT,
            on_hand_delta=-reservation.quantity,
            reserved_delta=-reservation.quantity if held else 0,
            reason="order confirmed" if held else "order confirmed after its reservation lapsed",
            actor=actor,
            order_id=order_id,
        )
    event_publish(type="inventory.committed", data={"order_id": str(order_id), "items": _items_data(to_commit)})
    return to_commit


@transaction.atomic
def reservation_release_for_order(*, order_id: uuid.UUID | str, reason: str, actor: str) -> list[Reservation]:
    """Returns a cancelled order's stock (on ``order.cancelled``); ``reason`` is the cancel reason.

    Held units are released (``inventory.released`` reason ``order_cancelled``), committed units
    go back on the shelf (reason ``restocked``). The order is remembered as cancelled either
    way, so an ``order.created`` arriving after this reserves nothing.
    """
    order_id = _uuid(order_id, field="order_id")
    order = InventoryOrder.objects.lock(order_id)
    order.cancel()
    reservations = list(
        Reservation.objects.filter(
            order_id=order_id, status__in=[Reservation.Status.HELD, Reservation.Status.COMMITTED]
        ).order_by("variant_id")
    )
    if not reservations:
        return []
    stocks = _stocks_lock(variant_ids=[r.variant_id for r in reservations])
    released, restocked = [], []
    for reservation in reservations:
        stock = stocks[reservation.variant_id]
        if reservation.status == Reservation.Status.HELD:
            _stock_change(
                stock=stock,
                kind=StockMovement.Kind.RELEASE,
                reserved_delta=-reservation.quantity,
                reason=f"order cancelled: {reason}",
                actor=actor,
                order_id=order_id,
            )
            released.append(reservation)
        else:
            _stock_change(
                stock=stock,
                kind=StockMovement.Kind.RESTOCK,
                on_hand_delta=reservation.quantity,
                reason=f"order cancelled: {reason}",
                actor=actor,
                order_id=order_id,
            )
            restocked.append(reservation)
        reservation.status = Reservation.Status.RELEASED
        reservation.save(update_fields=["status", "updated_at"])
    for group, event_reason in ((released, "order_cancelled"), (restocked, "restocked")):
        if group:
            event_publish(
                type="inventory.released",
                data={"order_id": str(order_id), "items": _items_data(group), "reason": event_reason},
            )
    return reservations


@transaction.atomic
def stock_restock_for_return(*, order_id: uuid.UUID | str, items: Iterable[Mapping], reason: str, actor: str) -> None:
    """Units a customer sent back are on the shelf again (on ``order.return_received``): a
    restock movement per line, with the return's reason. Once per event (the inbox)."""
    order_id = _uuid(order_id, field="order_id")
    lines = _order_lines(items)
    InventoryOrder.objects.lock(order_id)
    stocks = _stocks_lock(variant_ids=lines)
    for variant_id, quantity in lines.items():
        stock = stocks.get(variant_id) or Stock.objects.create(variant_id=variant_id)
        _stock_change(
            stock=stock,
            kind=StockMovement.Kind.RESTOCK,
            on_hand_delta=quantity,
            reason=f"returned: {reason}" if reason else "returned",
            actor=actor,
            order_id=order_id,
        )


def reservation_expire_overdue(*, now: datetime | None = None) -> int:
    """Expires held reservations past their deadline, one order per transaction; returns how many orders."""
    now = now or timezone.now()
    order_ids = list(
        Reservation.objects.filter(status=Reservation.Status.HELD, expires_at__lte=now)
        .order_by("order_id")
        .values_list("order_id", flat=True)
        .distinct()
    )
    return sum(1 for order_id in order_ids if _reservation_expire_for_order(order_id=order_id, now=now))


@transaction.atomic
def _reservation_expire_for_order(*, order_id: uuid.UUID, now: datetime) -> list[Reservation]:
    InventoryOrder.objects.lock(order_id)
    reservations = list(
        Reservation.objects.filter(order_id=order_id, status=Reservation.Status.HELD, expires_at__lte=now).order_by(
            "variant_id"
        )
    )
    if not reservations:
        return []  # committed or released meanwhile
    stocks = _stocks_lock(variant_ids=[r.variant_id for r in reservations])
    for reservation in reservations:
        reservation.status = Reservation.Status.EXPIRED
        reservation.save(update_fields=["status", "updated_at"])
        _stock_change(
            stock=stocks[reservation.variant_id],
            kind=StockMovement.Kind.EXPIRY,
            reserved_delta=-reservation.quantity,
            reason="reservation expired",
            actor=SYSTEM_ACTOR,
            order_id=order_id,
        )
    event_publish(
        type="inventory.released",
        data={"order_id": str(order_id), "items": _items_data(reservations), "reason": "expired"},
    )
    return reservations
