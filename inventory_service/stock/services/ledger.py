"""The ledger every stock write goes through: the locks (Stock rows in variant_id order, then
their WarehouseStock rows), one StockMovement per warehouse row changed, and the reading of an
order's lines and reservations. The other service modules build on these."""

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.core.exceptions import ValidationError

from ecom_common.events import event_publish
from stock.models import (
    Reservation,
    ReservationAllocation,
    Stock,
    StockMovement,
    Warehouse,
    WarehouseStock,
)

SYSTEM_ACTOR = "system"

# What a stock column holds (a PostgreSQL integer): more units on hand is refused, not a 500.
MAX_UNITS = 2**31 - 1


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def uuid_of(value, *, field: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as error:
        raise ValidationError({field: ValidationError("Enter a valid UUID.", code="invalid")}) from error


def order_lines(items: Iterable[Mapping]) -> dict[uuid.UUID, int]:
    """``{variant_id: quantity}`` in variant_id order; the same variant twice is one line."""
    lines: dict[uuid.UUID, int] = {}
    for item in items:
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise ValidationError({"items": ValidationError("Each quantity is a positive integer.", code="invalid")})
        # Orders placed before variants name the product: its one variant has its id.
        variant_id = uuid_of(item.get("variant_id") or item.get("product_id"), field="items")
        lines[variant_id] = lines.get(variant_id, 0) + quantity
    if not lines:
        raise ValidationError({"items": ValidationError("An order has at least one item.", code="empty")})
    return dict(sorted(lines.items()))


def stocks_lock(*, variant_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Stock]:
    rows = Stock.objects.select_for_update().filter(variant_id__in=list(variant_ids)).order_by("variant_id")
    return {stock.variant_id: stock for stock in rows}


def places_lock(*, variant_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[WarehouseStock]]:
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


def place_for(*, stock: Stock, warehouse: Warehouse) -> WarehouseStock:
    """The locked ``stock``'s row in ``warehouse``, made empty if it has none yet."""
    place, _ = WarehouseStock.objects.select_for_update(of=("self",)).get_or_create(variant=stock, warehouse=warehouse)
    place.warehouse = warehouse
    return place


def reservable(places: Iterable[WarehouseStock]) -> int:
    return sum(place.available for place in places if place.warehouse.is_active)


def allocate(places: Iterable[WarehouseStock], quantity: int) -> list[tuple[WarehouseStock, int]]:
    """Which warehouses ``quantity`` units come from: active ones in priority order, each giving
    what it has available until the quantity is met (the caller checked there is enough)."""
    allocation, remaining = [], quantity
    for place in places:
        if remaining and place.warehouse.is_active and place.available:
            taken = min(place.available, remaining)
            allocation.append((place, taken))
            remaining -= taken
    return allocation


def stock_change(
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


def allocations_of(reservation: Reservation, *, stock: Stock, places: Iterable[WarehouseStock]):
    """``(allocation, place)`` of each warehouse the reservation took units from, in priority order."""
    by_warehouse = {place.warehouse_id: place for place in places}
    allocations = ReservationAllocation.objects.filter(reservation=reservation).select_related("warehouse")
    return [
        (
            allocation,
            by_warehouse.get(allocation.warehouse_id) or place_for(stock=stock, warehouse=allocation.warehouse),
        )
        for allocation in allocations.order_by("warehouse__priority", "warehouse__code")
    ]


def items_data(reservations: Iterable[Reservation]) -> list[dict]:
    return [{"variant_id": str(r.variant_id), "quantity": r.quantity} for r in reservations]


def not_enough(place: WarehouseStock, *, field: str) -> ValidationError:
    return ValidationError(
        {
            field: ValidationError(
                "Not enough stock in %(warehouse)s: %(available)s available, %(on_hand)s on hand.",
                code="insufficient_stock",
                params={"warehouse": place.warehouse.code, "available": place.available, "on_hand": place.on_hand},
            )
        }
    )


def locked_stock(variant_id: uuid.UUID) -> Stock:
    Stock.objects.get_or_create(variant_id=variant_id)
    return Stock.objects.select_for_update().get(variant_id=variant_id)


def restock(
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
    stock_change(
        stock=stock,
        place=place,
        kind=StockMovement.Kind.RESTOCK,
        on_hand_delta=quantity,
        reason=reason,
        actor=actor,
        order_id=order_id,
    )
