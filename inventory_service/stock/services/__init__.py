"""Writes to stock: staff adjustments, and the reservations the checkout saga moves along.

Every change locks the Stock rows it touches with ``SELECT ... FOR UPDATE`` in variant_id
order (the same order everywhere, so two transactions never wait on each other in a cycle), then
their WarehouseStock rows, and writes one StockMovement per warehouse row it changes (the
variant's total changes with it). A reservation takes units from the active warehouses in
priority order, splitting across them when one has too few, and records where it took them
(ReservationAllocation): commit, release, expiry and restock act on those same warehouses. The
transitions of one order first lock that order's InventoryOrder row, so they run one after
another whatever order the events arrive in.

One module per part: ``ledger`` (locks and movements), ``adjustments`` (staff), ``reservations``
(the saga), ``returns``. Callers use the package: ``from stock import services``.
"""

from stock.services.adjustments import stock_adjust, stock_create_for_product, stock_transfer
from stock.services.ledger import SYSTEM_ACTOR
from stock.services.reservations import (
    order_confirmation_record,
    reservation_commit_for_order,
    reservation_expire_overdue,
    reservation_release_for_order,
    stock_reserve_for_order,
)
from stock.services.returns import stock_restock_for_return

__all__ = [
    "SYSTEM_ACTOR",
    "order_confirmation_record",
    "reservation_commit_for_order",
    "reservation_expire_overdue",
    "reservation_release_for_order",
    "stock_adjust",
    "stock_create_for_product",
    "stock_reserve_for_order",
    "stock_restock_for_return",
    "stock_transfer",
]
