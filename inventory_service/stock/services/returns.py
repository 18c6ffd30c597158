"""Units a customer sent back, on the shelf again (``order.return_received``)."""

import uuid
from collections.abc import Iterable, Mapping

from django.db import transaction

from stock.models import (
    InventoryOrder,
    Reservation,
    ReservationAllocation,
    StockMovement,
)
from stock.services.ledger import (
    locked_stock,
    order_lines,
    place_for,
    places_lock,
    restock,
    stock_change,
    uuid_of,
)
from stock.warehouses import warehouse_default


@transaction.atomic
def stock_restock_for_return(*, order_id: uuid.UUID | str, items: Iterable[Mapping], reason: str, actor: str) -> None:
    """Units a customer sent back are on the shelf again (on ``order.return_received``): a
    restock movement per line and warehouse, with the return's reason. The units go back to the
    warehouses they were committed from, in priority order, up to what each gave (counting
    earlier returns); any beyond that (an order older than its allocations) to the default
    warehouse. Once per event (the inbox)."""
    order_id = uuid_of(order_id, field="order_id")
    lines = order_lines(items)
    InventoryOrder.objects.lock(order_id)
    # In variant_id order, like every lock; a variant never stocked gets its record.
    stocks = {variant_id: locked_stock(variant_id) for variant_id in lines}
    places = places_lock(variant_ids=lines)
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
                place = here.get(allocation.warehouse_id) or place_for(stock=stock, warehouse=allocation.warehouse)
                restock(
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
            stock_change(
                stock=stock,
                place=place_for(stock=stock, warehouse=warehouse_default()),
                kind=StockMovement.Kind.RESTOCK,
                on_hand_delta=remaining,
                reason=note,
                actor=actor,
                order_id=order_id,
            )
