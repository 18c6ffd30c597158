"""Stock per variant (what is sold: a product's SKU) in each warehouse, the reservations orders
hold on it (and which warehouses they took it from), and the ledger of every change.

``Stock`` is a variant's total over its warehouses; ``WarehouseStock`` is the same numbers in one
warehouse. Both change together, under the Stock row's lock (stock/services/ledger.py), so each is the
sum of its movements and the totals are the sum of the warehouses.
"""

import uuid

from django.conf import settings
from django.db import models

from ecom_common.saga_participants import ParticipantOrder


def default_low_stock_threshold() -> int:
    return settings.INVENTORY_LOW_STOCK_THRESHOLD


def _stock_constraints(prefix: str) -> list[models.BaseConstraint]:
    # The database itself guarantees available = on_hand - reserved never drops below zero.
    return [
        models.CheckConstraint(condition=models.Q(on_hand__gte=0), name=f"{prefix}_on_hand_non_negative"),
        models.CheckConstraint(condition=models.Q(reserved__gte=0), name=f"{prefix}_reserved_non_negative"),
        models.CheckConstraint(
            condition=models.Q(reserved__lte=models.F("on_hand")), name=f"{prefix}_reserved_within_on_hand"
        ),
    ]


class Warehouse(models.Model):
    """A place stock is kept. Reservations take units from active warehouses in priority order."""

    code = models.SlugField(max_length=32, unique=True, help_text="Short name used by the API, e.g. main, eu-1.")
    name = models.CharField(max_length=120)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. US.")
    priority = models.PositiveIntegerField(
        default=100, help_text="Reservations take units from the lowest number first (ties by code)."
    )
    is_active = models.BooleanField(
        default=True, help_text="An inactive warehouse keeps its stock but is not reserved from."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Stock(models.Model):
    """What is on the shelf (``on_hand``) and how much of it orders hold (``reserved``) of one
    variant. A product without variants has one, with the product's own id."""

    variant_id = models.UUIDField(primary_key=True)
    # The variant's product, from the catalog's events (empty until one arrives).
    product_id = models.UUIDField(null=True, blank=True, db_index=True)
    on_hand = models.PositiveIntegerField(default=0)
    reserved = models.PositiveIntegerField(default=0)
    low_stock_threshold = models.PositiveIntegerField(default=default_low_stock_threshold)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["variant_id"]
        constraints = _stock_constraints("stock")

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.available} available"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class WarehouseStock(models.Model):
    """A variant's stock in one warehouse."""

    variant = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="warehouse_stocks")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stocks")
    on_hand = models.PositiveIntegerField(default=0)
    reserved = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["variant_id", "warehouse__priority", "warehouse__code"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "warehouse"], name="stock_warehousestock_one_per_warehouse"),
            *_stock_constraints("stock_warehousestock"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} in {self.warehouse_id}: {self.available} available"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Reservation(models.Model):
    class Status(models.TextChoices):
        HELD = "held"
        COMMITTED = "committed"
        RELEASED = "released"
        EXPIRED = "expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order_id = models.UUIDField()
    variant = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.HELD)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["order_id", "variant"], name="stock_reservation_one_per_order_line"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="stock_reservation_quantity_positive"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="stock_reservation_due")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant_id} for order {self.order_id} ({self.status})"


class ReservationAllocation(models.Model):
    """The units of a reservation taken from one warehouse: where they are held, committed from,
    and given back to."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="allocations")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="allocations")
    quantity = models.PositiveIntegerField()
    # Committed units put back on this warehouse's shelf since (a return, a cancel after commit).
    restocked = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["reservation_id", "warehouse__priority", "warehouse__code"]
        constraints = [
            models.UniqueConstraint(fields=["reservation", "warehouse"], name="stock_allocation_one_per_warehouse"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="stock_allocation_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(restocked__lte=models.F("quantity")), name="stock_allocation_restocked_within"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} from {self.warehouse_id}"


class StockMovement(models.Model):
    """One change of a variant's on_hand and/or reserved in one warehouse; their sums are the
    current stock, per warehouse and in total."""

    class Kind(models.TextChoices):
        ADJUSTMENT = "adjustment"
        RESERVATION = "reservation"
        RELEASE = "release"
        COMMIT = "commit"
        RESTOCK = "restock"
        EXPIRY = "expiry"
        TRANSFER = "transfer"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    variant = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    on_hand_delta = models.IntegerField(default=0)
    reserved_delta = models.IntegerField(default=0)
    reason = models.CharField(max_length=255, blank=True)
    # A staff user id, "event:<event id>" or "system".
    actor = models.CharField(max_length=64)
    order_id = models.UUIDField(null=True, blank=True, db_index=True)
    # A retried staff adjustment carries the same key and is not applied twice.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True, unique=True)
    # The two movements of one transfer between warehouses share it.
    transfer_id = models.UUIDField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.variant_id} at {self.warehouse_id} on_hand {self.on_hand_delta:+d} reserved {self.reserved_delta:+d}"


class InventoryOrder(ParticipantOrder):
    """What inventory knows of an order beyond its reservations: whether it was cancelled, and
    whether it was confirmed (paid): a confirmed order's reservation never lapses, even while
    its commit is still being retried.

    Its row is locked by every transition of the order, so they run one at a time per order,
    and a cancellation that arrives before ``order.created`` still prevents the reservation.
    """

    confirmed_at = models.DateTimeField(null=True, blank=True)
