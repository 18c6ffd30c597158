"""The reservations the checkout saga moves along: reserve on ``order.created``, commit on
``order.confirmed``, release or restock on ``order.cancelled``, and the safety expiry."""

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ecom_common.events import event_publish
from stock.models import (
    InventoryOrder,
    Reservation,
    ReservationAllocation,
    Stock,
    StockMovement,
    WarehouseStock,
)
from stock.services.ledger import (
    SYSTEM_ACTOR,
    allocate,
    allocations_of,
    iso,
    items_data,
    order_lines,
    places_lock,
    reservable,
    restock,
    stock_change,
    stocks_lock,
    uuid_of,
)


# ---------------------------------------------------------------------------
# The checkout saga: reserve → commit | release (or restock) | expire
# ---------------------------------------------------------------------------
def _hold(*, stock: Stock, places: list[WarehouseStock], reservation: Reservation, actor: str, reason: str) -> None:
    """Takes the reservation's units from the warehouses in priority order (the caller checked
    there are enough) and records where each came from."""
    for place, quantity in allocate(places, reservation.quantity):
        ReservationAllocation.objects.create(reservation=reservation, warehouse=place.warehouse, quantity=quantity)
        stock_change(
            stock=stock,
            place=place,
            kind=StockMovement.Kind.RESERVATION,
            reserved_delta=quantity,
            reason=reason,
            actor=actor,
            order_id=reservation.order_id,
        )


def _shortage(variant_id: uuid.UUID, requested: int, places: list[WarehouseStock]) -> dict | None:
    available = reservable(places)
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
    order_id = uuid_of(order_id, field="order_id")
    lines = order_lines(items)
    order = InventoryOrder.objects.lock(order_id)
    if order.is_cancelled or Reservation.objects.filter(order_id=order_id).exists():
        return []
    stocks = stocks_lock(variant_ids=lines)
    places = places_lock(variant_ids=lines)
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
        data={"order_id": str(order_id), "items": items_data(reservations), "expires_at": iso(expires_at)},
    )
    return reservations


@transaction.atomic
def order_confirmation_record(*, order_id: uuid.UUID | str) -> None:
    """The order is paid (``order.confirmed``): remembered apart from the commit (a handler of
    its own), so its reservation never lapses even while the commit is retried."""
    order = InventoryOrder.objects.lock(uuid_of(order_id, field="order_id"))
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
    order_id = uuid_of(order_id, field="order_id")
    order = InventoryOrder.objects.lock(order_id)
    reservations = list(Reservation.objects.filter(order_id=order_id).order_by("variant_id"))
    statuses = {reservation.status for reservation in reservations}
    if order.is_cancelled or not reservations or Reservation.Status.COMMITTED in statuses:
        return []
    to_commit = [r for r in reservations if r.status in (Reservation.Status.HELD, Reservation.Status.EXPIRED)]
    variant_ids = [r.variant_id for r in to_commit]
    stocks = stocks_lock(variant_ids=variant_ids)
    places = places_lock(variant_ids=variant_ids)
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
                for allocation, place in allocations_of(reservation, stock=stock, places=places[stock.variant_id])
            ]
        else:
            # The lapsed units are taken again from the warehouses that have them now.
            ReservationAllocation.objects.filter(reservation=reservation).delete()
            parts = [(quantity, place) for place, quantity in allocate(places[stock.variant_id], reservation.quantity)]
            ReservationAllocation.objects.bulk_create(
                ReservationAllocation(reservation=reservation, warehouse=place.warehouse, quantity=quantity)
                for quantity, place in parts
            )
        reservation.status = Reservation.Status.COMMITTED
        reservation.save(update_fields=["status", "updated_at"])
        for quantity, place in parts:
            stock_change(
                stock=stock,
                place=place,
                kind=StockMovement.Kind.COMMIT,
                on_hand_delta=-quantity,
                reserved_delta=-quantity if held else 0,
                reason="order confirmed" if held else "order confirmed after its reservation lapsed",
                actor=actor,
                order_id=order_id,
            )
    event_publish(type="inventory.committed", data={"order_id": str(order_id), "items": items_data(to_commit)})
    return to_commit


@transaction.atomic
def reservation_release_for_order(*, order_id: uuid.UUID | str, reason: str, actor: str) -> list[Reservation]:
    """Returns a cancelled order's stock (on ``order.cancelled``); ``reason`` is the cancel reason.

    Held units are released (``inventory.released`` reason ``order_cancelled``), committed units
    go back on the shelf of the warehouse they left (``inventory.restocked``). With nothing to give
    back (no reservation, or one that lapsed) the answer is an ``inventory.released`` of no items:
    the order's saga waits for an answer to every cancellation. The order is remembered as
    cancelled either way, so an ``order.created`` arriving after this reserves nothing.
    """
    order_id = uuid_of(order_id, field="order_id")
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
    stocks = stocks_lock(variant_ids=variant_ids)
    places = places_lock(variant_ids=variant_ids)
    released, restocked = [], []
    for reservation in reservations:
        stock = stocks[reservation.variant_id]
        for allocation, place in allocations_of(reservation, stock=stock, places=places[reservation.variant_id]):
            if reservation.status == Reservation.Status.HELD:
                stock_change(
                    stock=stock,
                    place=place,
                    kind=StockMovement.Kind.RELEASE,
                    reserved_delta=-allocation.quantity,
                    reason=f"order cancelled: {reason}",
                    actor=actor,
                    order_id=order_id,
                )
            elif allocation.quantity > allocation.restocked:
                restock(
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
            data={"order_id": str(order_id), "items": items_data(released), "reason": "order_cancelled"},
        )
    if restocked:
        event_publish(
            type="inventory.restocked",
            data={"order_id": str(order_id), "items": items_data(restocked), "reason": "order_cancelled"},
        )
    return reservations


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
    stocks = stocks_lock(variant_ids=variant_ids)
    places = places_lock(variant_ids=variant_ids)
    for reservation in reservations:
        reservation.status = Reservation.Status.EXPIRED
        reservation.save(update_fields=["status", "updated_at"])
        stock = stocks[reservation.variant_id]
        for allocation, place in allocations_of(reservation, stock=stock, places=places[reservation.variant_id]):
            stock_change(
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
        data={"order_id": str(order_id), "items": items_data(reservations), "reason": "expired"},
    )
    return reservations
