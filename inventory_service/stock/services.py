"""Writes to stock: staff adjustments, and the reservations the checkout saga moves along.

Every change locks the Stock rows it touches with ``SELECT ... FOR UPDATE`` in variant_id
order (the same order everywhere, so two transactions never wait on each other in a cycle), then
their WarehouseStock rows, and writes one StockMovement per warehouse row it changes (the
variant's total changes with it). A reservation takes units from the active warehouses in
priority order, splitting across them when one has too few, and records where it took them
(ReservationAllocation): commit, release, expiry and restock act on those same warehouses. The transitions of one order first lock that
order's InventoryOrder row, so they run one after another whatever order the events arrive in.
"""

import functools
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ecom_common.events import event_publish
from ecom_common.idempotency import idempotency_key_reused
from stock.models import (
    InventoryOrder,
    Reservation,
    ReservationAllocation,
    Stock,
    StockMovement,
    Warehouse,
    WarehouseStock,
)
from stock.warehouses import warehouse_default, warehouse_named

SYSTEM_ACTOR = "system"
# What a stock column holds (a PostgreSQL integer): more units on hand is refused, not a 500.
MAX_UNITS = 2**31 - 1


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


def _places_lock(*, variant_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[WarehouseStock]]:
    """The variants' stock in each warehouse, in the order reservations take from them. Locked
    after their Stock rows (every change locks those first, so these never wait in a cycle)."""
    rows = (
        WarehouseStock.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .filter(variant_id__in=list(variant_ids))
        .order_by("variant_id", "warehouse__priority", "warehouse__code")
    )
    places: dict[uuid.UUID, list[WarehouseStock]] = {}
    for place in rows:
        places.setdefault(place.variant_id, []).append(place)
    return places


def _place(*, stock: Stock, warehouse: Warehouse) -> WarehouseStock:
    """The locked ``stock``'s row in ``warehouse``, made empty if it has none yet."""
    place, _ = WarehouseStock.objects.select_for_update(of=("self",)).get_or_create(variant=stock, warehouse=warehouse)
    place.warehouse = warehouse
    return place


def _reservable(places: Iterable[WarehouseStock]) -> int:
    return sum(place.available for place in places if place.warehouse.is_active)


def _allocate(places: Iterable[WarehouseStock], quantity: int) -> list[tuple[WarehouseStock, int]]:
    """Which warehouses ``quantity`` units come from: active ones in priority order, each giving
    what it has available until the quantity is met (the caller checked there is enough)."""
    allocation, remaining = [], quantity
    for place in places:
        if remaining and place.warehouse.is_active and place.available:
            taken = min(place.available, remaining)
            allocation.append((place, taken))
            remaining -= taken
    return allocation


def _stock_change(
    *,
    stock: Stock,
    place: WarehouseStock,
    kind: str,
    actor: str,
    reason: str = "",
    on_hand_delta: int = 0,
    reserved_delta: int = 0,
    order_id: uuid.UUID | None = None,
    idempotency_key: str | None = None,
    transfer_id: uuid.UUID | None = None,
) -> StockMovement:
    """Applies the deltas to the locked ``stock`` and its warehouse row ``place``, records them,
    and announces the total crossing into low stock."""
    available_before = stock.available
    for row in (stock, place):
        row.on_hand += on_hand_delta
        row.reserved += reserved_delta
        row.save(update_fields=["on_hand", "reserved", "updated_at"])
    movement = StockMovement.objects.create(
        variant=stock,
        warehouse=place.warehouse,
        kind=kind,
        on_hand_delta=on_hand_delta,
        reserved_delta=reserved_delta,
        reason=reason[:255],
        actor=actor,
        order_id=order_id,
        idempotency_key=idempotency_key,
        transfer_id=transfer_id,
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


def _allocations_of(reservation: Reservation, *, stock: Stock, places: Iterable[WarehouseStock]):
    """``(allocation, place)`` of each warehouse the reservation took units from, in priority order."""
    by_warehouse = {place.warehouse_id: place for place in places}
    allocations = ReservationAllocation.objects.filter(reservation=reservation).select_related("warehouse")
    return [
        (allocation, by_warehouse.get(allocation.warehouse_id) or _place(stock=stock, warehouse=allocation.warehouse))
        for allocation in allocations.order_by("warehouse__priority", "warehouse__code")
    ]


def _items_data(reservations: Iterable[Reservation]) -> list[dict]:
    return [{"variant_id": str(r.variant_id), "quantity": r.quantity} for r in reservations]


# ---------------------------------------------------------------------------
# Stock records, staff adjustments and transfers
# ---------------------------------------------------------------------------
@transaction.atomic
def stock_create_for_product(*, product_id: uuid.UUID | str, variants: list[dict] | None) -> list[Stock]:
    """A stock record per variant of the product, made empty where there is none yet, each
    knowing its product (on ``product.created`` and ``product.updated``: a new variant gets its
    record). An event from before variants names none: the product's own id is its one variant."""
    product_id = _uuid(product_id, field="product_id")
    variant_ids = [_uuid(v["variant_id"], field="variants") for v in variants] if variants else [product_id]
    Stock.objects.bulk_create(
        [Stock(variant_id=variant_id, product_id=product_id) for variant_id in variant_ids], ignore_conflicts=True
    )
    # A record made by an adjustment before the catalog's event learns its product here.
    Stock.objects.filter(variant_id__in=variant_ids).exclude(product_id=product_id).update(
        product_id=product_id, updated_at=timezone.now()
    )
    return list(Stock.objects.filter(variant_id__in=variant_ids).order_by("variant_id"))


def _key_race_is_a_conflict(write):
    """For the writes that take an Idempotency-Key: a key raced for by two different requests
    surfaces as the unique index's error, outside the write's transaction."""

    @functools.wraps(write)
    def guarded(**kwargs):
        try:
            return write(**kwargs)
        except IntegrityError as error:
            raise idempotency_key_reused() from error  # a twin with the key, for another variant

    return guarded


def _already_applied(idempotency_key: str | None, *, expected: tuple, pair_into: Warehouse | None = None) -> bool:
    """Whether the request with ``idempotency_key`` was applied before: its movement (``expected``
    is its kind, variant id, warehouse id and on-hand delta; a transfer's pair lands in
    ``pair_into``). Looked up under the Stock row's lock, so a concurrent retry waits for the
    first and then sees it. The key used for a different request is a ConflictError."""
    if not idempotency_key:
        return False
    previous = StockMovement.objects.filter(idempotency_key=idempotency_key).first()
    if previous is None:
        return False
    same = (previous.kind, previous.variant_id, previous.warehouse_id, previous.on_hand_delta) == expected
    if same and pair_into is not None:
        same = StockMovement.objects.filter(transfer_id=previous.transfer_id, warehouse=pair_into).exists()
    if not same:
        raise idempotency_key_reused()
    return True


def _not_enough(place: WarehouseStock, *, field: str) -> ValidationError:
    return ValidationError(
        {
            field: ValidationError(
                "Not enough stock in %(warehouse)s: %(available)s available, %(on_hand)s on hand.",
                code="insufficient_stock",
                params={"warehouse": place.warehouse.code, "available": place.available, "on_hand": place.on_hand},
            )
        }
    )


def _locked_stock(variant_id: uuid.UUID) -> Stock:
    Stock.objects.get_or_create(variant_id=variant_id)
    return Stock.objects.select_for_update().get(variant_id=variant_id)


@_key_race_is_a_conflict
@transaction.atomic
def stock_adjust(
    *,
    variant_id: uuid.UUID | str,
    delta: int,
    reason: str,
    actor: str,
    warehouse: str | None = None,
    idempotency_key: str | None = None,
) -> Stock:
    """Adds ``delta`` (negative removes) to on_hand in ``warehouse`` (a code; by default the
    first active warehouse), creating the stock record if absent.

    A change that would leave less on hand than is reserved there is a ValidationError on
    ``delta``. With ``idempotency_key``, a retry of the same adjustment returns the stock without
    applying it again; the key reused for another request is a ConflictError.
    """
    variant_id = _uuid(variant_id, field="variant_id")
    idempotency_key = idempotency_key or None
    if delta == 0:
        raise ValidationError(
            {"delta": ValidationError("An adjustment changes stock by at least one unit.", code="zero")}
        )
    target = warehouse_named(warehouse)
    stock = _locked_stock(variant_id)
    if _already_applied(idempotency_key, expected=(StockMovement.Kind.ADJUSTMENT, variant_id, target.pk, delta)):
        return stock
    place = _place(stock=stock, warehouse=target)
    if place.on_hand + delta < place.reserved:
        raise _not_enough(place, field="delta")
    if stock.on_hand + delta > MAX_UNITS:
        raise ValidationError(
            {
                "delta": ValidationError(
                    "A variant holds at most %(max)s units.", code="max_value", params={"max": MAX_UNITS}
                )
            }
        )
    _stock_change(
        stock=stock,
        place=place,
        kind=StockMovement.Kind.ADJUSTMENT,
        on_hand_delta=delta,
        reason=reason,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    return stock


@_key_race_is_a_conflict
@transaction.atomic
def stock_transfer(
    *,
    variant_id: uuid.UUID | str,
    source: str,
    destination: str,
    quantity: int,
    reason: str,
    actor: str,
    idempotency_key: str | None = None,
) -> Stock:
    """Moves ``quantity`` available units of a variant from warehouse ``source`` to
    ``destination`` (codes): two movements, one transaction, the total unchanged. Units held by
    reservations stay where they are. Retried with the same ``idempotency_key``, applied once."""
    variant_id = _uuid(variant_id, field="variant_id")
    idempotency_key = idempotency_key or None
    if quantity < 1:
        raise ValidationError({"quantity": ValidationError("A transfer moves at least one unit.", code="min_value")})
    origin = warehouse_named(source, field="from_warehouse")
    target = warehouse_named(destination, field="to_warehouse")
    if origin.pk == target.pk:
        raise ValidationError(
            {"to_warehouse": ValidationError("A transfer goes to another warehouse.", code="same_warehouse")}
        )
    stock = _locked_stock(variant_id)
    expected = (StockMovement.Kind.TRANSFER, variant_id, origin.pk, -quantity)
    if _already_applied(idempotency_key, expected=expected, pair_into=target):
        return stock
    # Both rows, locked in the one order every transaction uses (after the Stock row).
    places = {place.warehouse_id: place for place in _places_lock(variant_ids=[variant_id]).get(variant_id, [])}
    out_of = places.get(origin.pk) or _place(stock=stock, warehouse=origin)
    into = places.get(target.pk) or _place(stock=stock, warehouse=target)
    if out_of.available < quantity:
        raise _not_enough(out_of, field="quantity")
    transfer_id = uuid.uuid4()
    reason = reason or f"transfer {origin.code} → {target.code}"
    common = {"stock": stock, "kind": StockMovement.Kind.TRANSFER, "reason": reason, "actor": actor}
    _stock_change(
        place=out_of, on_hand_delta=-quantity, idempotency_key=idempotency_key, transfer_id=transfer_id, **common
    )
    _stock_change(place=into, on_hand_delta=quantity, transfer_id=transfer_id, **common)
    return stock


# ---------------------------------------------------------------------------
# The checkout saga: reserve → commit | release (or restock) | expire
# ---------------------------------------------------------------------------
def _hold(*, stock: Stock, places: list[WarehouseStock], reservation: Reservation, actor: str, reason: str) -> None:
    """Takes the reservation's units from the warehouses in priority order (the caller checked
    there are enough) and records where each came from."""
    for place, quantity in _allocate(places, reservation.quantity):
        ReservationAllocation.objects.create(reservation=reservation, warehouse=place.warehouse, quantity=quantity)
        _stock_change(
            stock=stock,
            place=place,
            kind=StockMovement.Kind.RESERVATION,
            reserved_delta=quantity,
            reason=reason,
            actor=actor,
            order_id=reservation.order_id,
        )


def _shortage(variant_id: uuid.UUID, requested: int, places: list[WarehouseStock]) -> dict | None:
    available = _reservable(places)
    if available >= requested:
        return None
    return {"variant_id": str(variant_id), "requested": requested, "available": available}


@transaction.atomic
def stock_reserve_for_order(*, order_id: uuid.UUID | str, items: Iterable[Mapping], actor: str) -> list[Reservation]:
    """Holds every line of the order, or none of them.

    Publishes ``inventory.reserved``, or ``inventory.reservation_failed`` listing the lines that
    lack stock (what the active warehouses have available, together). Does nothing for an order
    reserved before (whatever became of it since) or already cancelled.
    """
    order_id = _uuid(order_id, field="order_id")
    lines = _order_lines(items)
    order = InventoryOrder.objects.lock(order_id)
    if order.is_cancelled or Reservation.objects.filter(order_id=order_id).exists():
        return []
    stocks = _stocks_lock(variant_ids=lines)
    places = _places_lock(variant_ids=lines)
    shortages = [
        shortage
        for variant_id, quantity in lines.items()
        if (shortage := _shortage(variant_id, quantity, places.get(variant_id, [])))
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
        reservation = Reservation.objects.create(
            order_id=order_id, variant=stocks[variant_id], quantity=quantity, expires_at=expires_at
        )
        _hold(
            stock=stocks[variant_id],
            places=places[variant_id],
            reservation=reservation,
            actor=actor,
            reason="reserved for order",
        )
        reservations.append(reservation)
    event_publish(
        type="inventory.reserved",
        data={"order_id": str(order_id), "items": _items_data(reservations), "expires_at": _iso(expires_at)},
    )
    return reservations


@transaction.atomic
def order_confirmation_record(*, order_id: uuid.UUID | str) -> None:
    """The order is paid (``order.confirmed``): remembered apart from the commit (a handler of
    its own), so its reservation never lapses even while the commit is retried."""
    order = InventoryOrder.objects.lock(_uuid(order_id, field="order_id"))
    if order.confirmed_at is None:
        order.confirmed_at = timezone.now()
        order.save(update_fields=["confirmed_at"])


@transaction.atomic
def reservation_commit_for_order(*, order_id: uuid.UUID | str, actor: str) -> list[Reservation]:
    """A paid order's units leave the shelf (on ``order.confirmed``): ``inventory.committed``.

    A confirmed order always ends with its stock committed. A reservation that lapsed under the
    safety expiry takes its units again from what is available (wherever it is now); when they
    are truly gone, ``inventory.commit_failed`` lists them and nothing is taken (order_service
    then refunds and cancels the order, and order.cancelled releases what is still held). A
    duplicate, or an order already cancelled, does nothing.
    """
    order_id = _uuid(order_id, field="order_id")
    order = InventoryOrder.objects.lock(order_id)
    reservations = list(Reservation.objects.filter(order_id=order_id).order_by("variant_id"))
    statuses = {reservation.status for reservation in reservations}
    if order.is_cancelled or not reservations or Reservation.Status.COMMITTED in statuses:
        return []
    to_commit = [r for r in reservations if r.status in (Reservation.Status.HELD, Reservation.Status.EXPIRED)]
    variant_ids = [r.variant_id for r in to_commit]
    stocks = _stocks_lock(variant_ids=variant_ids)
    places = _places_lock(variant_ids=variant_ids)
    lapsed = [r for r in to_commit if r.status == Reservation.Status.EXPIRED]
    shortages = [
        shortage for r in lapsed if (shortage := _shortage(r.variant_id, r.quantity, places.get(r.variant_id, [])))
    ]
    if shortages:
        event_publish(
            type="inventory.commit_failed",
            data={"order_id": str(order_id), "reason": "out_of_stock", "items": shortages},
        )
        return []
    for reservation in to_commit:
        stock, held = stocks[reservation.variant_id], reservation.status == Reservation.Status.HELD
        if held:
            parts = [
                (allocation.quantity, place)
                for allocation, place in _allocations_of(reservation, stock=stock, places=places[stock.variant_id])
            ]
        else:
            # The lapsed units are taken again from the warehouses that have them now.
            ReservationAllocation.objects.filter(reservation=reservation).delete()
            parts = [
                (quantity, place) for place, quantity in _allocate(places[stock.variant_id], reservation.quantity)
            ]
            ReservationAllocation.objects.bulk_create(
                ReservationAllocation(reservation=reservation, warehouse=place.warehouse, quantity=quantity)
                for quantity, place in parts
            )
        reservation.status = Reservation.Status.COMMITTED
        reservation.save(update_fields=["status", "updated_at"])
        for quantity, place in parts:
            _stock_change(
                stock=stock,
                place=place,
                kind=StockMovement.Kind.COMMIT,
                on_hand_delta=-quantity,
                reserved_delta=-quantity if held else 0,
                reason="order confirmed" if held else "order confirmed after its reservation lapsed",
                actor=actor,
                order_id=order_id,
            )
    event_publish(type="inventory.committed", data={"order_id": str(order_id), "items": _items_data(to_commit)})
    return to_commit


def _restock(
    *,
    stock: Stock,
    allocation: ReservationAllocation,
    place: WarehouseStock,
    quantity: int,
    reason: str,
    actor: str,
    order_id: uuid.UUID,
) -> None:
    allocation.restocked += quantity
    allocation.save(update_fields=["restocked"])
    _stock_change(
        stock=stock,
        place=place,
        kind=StockMovement.Kind.RESTOCK,
        on_hand_delta=quantity,
        reason=reason,
        actor=actor,
        order_id=order_id,
    )


@transaction.atomic
def reservation_release_for_order(*, order_id: uuid.UUID | str, reason: str, actor: str) -> list[Reservation]:
    """Returns a cancelled order's stock (on ``order.cancelled``); ``reason`` is the cancel reason.

    Held units are released (``inventory.released`` reason ``order_cancelled``), committed units
    go back on the shelf of the warehouse they left (``inventory.restocked``). With nothing to give
    back (no reservation, or one that lapsed) the answer is an ``inventory.released`` of no items:
    the order's saga waits for an answer to every cancellation. The order is remembered as
    cancelled either way, so an ``order.created`` arriving after this reserves nothing.
    """
    order_id = _uuid(order_id, field="order_id")
    order = InventoryOrder.objects.lock(order_id)
    answered = order.is_cancelled  # a cancellation already handled, called again: nothing more
    order.cancel()
    reservations = list(
        Reservation.objects.filter(
            order_id=order_id, status__in=[Reservation.Status.HELD, Reservation.Status.COMMITTED]
        ).order_by("variant_id")
    )
    if not reservations:
        if not answered:
            event_publish(
                type="inventory.released", data={"order_id": str(order_id), "items": [], "reason": "order_cancelled"}
            )
        return []
    variant_ids = [r.variant_id for r in reservations]
    stocks = _stocks_lock(variant_ids=variant_ids)
    places = _places_lock(variant_ids=variant_ids)
    released, restocked = [], []
    for reservation in reservations:
        stock = stocks[reservation.variant_id]
        for allocation, place in _allocations_of(reservation, stock=stock, places=places[reservation.variant_id]):
            if reservation.status == Reservation.Status.HELD:
                _stock_change(
                    stock=stock,
                    place=place,
                    kind=StockMovement.Kind.RELEASE,
                    reserved_delta=-allocation.quantity,
                    reason=f"order cancelled: {reason}",
                    actor=actor,
                    order_id=order_id,
                )
            elif allocation.quantity > allocation.restocked:
                _restock(
                    stock=stock,
                    allocation=allocation,
                    place=place,
                    quantity=allocation.quantity - allocation.restocked,
                    reason=f"order cancelled: {reason}",
                    actor=actor,
                    order_id=order_id,
                )
        (released if reservation.status == Reservation.Status.HELD else restocked).append(reservation)
        reservation.status = Reservation.Status.RELEASED
        reservation.save(update_fields=["status", "updated_at"])
    if released:
        event_publish(
            type="inventory.released",
            data={"order_id": str(order_id), "items": _items_data(released), "reason": "order_cancelled"},
        )
    if restocked:
        event_publish(
            type="inventory.restocked",
            data={"order_id": str(order_id), "items": _items_data(restocked), "reason": "order_cancelled"},
        )
    return reservations


@transaction.atomic
def stock_restock_for_return(*, order_id: uuid.UUID | str, items: Iterable[Mapping], reason: str, actor: str) -> None:
    """Units a customer sent back are on the shelf again (on ``order.return_received``): a
    restock movement per line and warehouse, with the return's reason. The units go back to the
    warehouses they were committed from, in priority order, up to what each gave (counting
    earlier returns); any beyond that (an order older than its allocations) to the default
    warehouse. Once per event (the inbox)."""
    order_id = _uuid(order_id, field="order_id")
    lines = _order_lines(items)
    InventoryOrder.objects.lock(order_id)
    # In variant_id order, like every lock; a variant never stocked gets its record.
    stocks = {variant_id: _locked_stock(variant_id) for variant_id in lines}
    places = _places_lock(variant_ids=lines)
    allocations = list(
        ReservationAllocation.objects.select_related("reservation", "warehouse")
        .filter(reservation__order_id=order_id, reservation__variant_id__in=list(lines))
        .filter(reservation__status=Reservation.Status.COMMITTED)
        .order_by("warehouse__priority", "warehouse__code")
    )
    note = f"returned: {reason}" if reason else "returned"
    for variant_id, quantity in lines.items():
        stock, remaining = stocks[variant_id], quantity
        here = {place.warehouse_id: place for place in places.get(variant_id, [])}
        for allocation in allocations:
            if allocation.reservation.variant_id != variant_id or not remaining:
                continue
            back = min(remaining, allocation.quantity - allocation.restocked)
            if back:
                place = here.get(allocation.warehouse_id) or _place(stock=stock, warehouse=allocation.warehouse)
                _restock(
                    stock=stock,
                    allocation=allocation,
                    place=place,
                    quantity=back,
                    reason=note,
                    actor=actor,
                    order_id=order_id,
                )
                remaining -= back
        if remaining:
            _stock_change(
                stock=stock,
                place=_place(stock=stock, warehouse=warehouse_default()),
                kind=StockMovement.Kind.RESTOCK,
                on_hand_delta=remaining,
                reason=note,
                actor=actor,
                order_id=order_id,
            )


def reservation_expire_overdue(*, now: datetime | None = None) -> int:
    """Expires held reservations past their deadline, one order per transaction; returns how many
    orders. Never a confirmed order's: its units are the customer's (the commit takes them)."""
    now = now or timezone.now()
    confirmed = InventoryOrder.objects.filter(confirmed_at__isnull=False).values("order_id")
    order_ids = list(
        Reservation.objects.filter(status=Reservation.Status.HELD, expires_at__lte=now)
        .exclude(order_id__in=confirmed)
        .order_by("order_id")
        .values_list("order_id", flat=True)
        .distinct()
    )
    return sum(1 for order_id in order_ids if _reservation_expire_for_order(order_id=order_id, now=now))


@transaction.atomic
def _reservation_expire_for_order(*, order_id: uuid.UUID, now: datetime) -> list[Reservation]:
    if InventoryOrder.objects.lock(order_id).confirmed_at is not None:
        return []  # confirmed meanwhile
    reservations = list(
        Reservation.objects.filter(order_id=order_id, status=Reservation.Status.HELD, expires_at__lte=now).order_by(
            "variant_id"
        )
    )
    if not reservations:
        return []  # committed or released meanwhile
    variant_ids = [r.variant_id for r in reservations]
    stocks = _stocks_lock(variant_ids=variant_ids)
    places = _places_lock(variant_ids=variant_ids)
    for reservation in reservations:
        reservation.status = Reservation.Status.EXPIRED
        reservation.save(update_fields=["status", "updated_at"])
        stock = stocks[reservation.variant_id]
        for allocation, place in _allocations_of(reservation, stock=stock, places=places[reservation.variant_id]):
            _stock_change(
                stock=stock,
                place=place,
                kind=StockMovement.Kind.EXPIRY,
                reserved_delta=-allocation.quantity,
                reason="reservation expired",
                actor=SYSTEM_ACTOR,
                order_id=order_id,
            )
    event_publish(
        type="inventory.released",
        data={"order_id": str(order_id), "items": _items_data(reservations), "reason": "expired"},
    )
    return reservations
