"""Stock per variant (what is sold: a product's SKU), the reservations orders hold on it, and the
ledger of every change."""

import uuid

from django.conf import settings
from django.db import models

from ecom_common.saga_participants import ParticipantOrder


def default_low_stock_threshold() -> int:
    return settings.INVENTORY_LOW_STOCK_THRESHOLD


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
        # The database itself guarantees available = on_hand - reserved never drops below zero.
        constraints = [
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="stock_on_hand_non_negative"),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="stock_reserved_non_negative"),
            models.CheckConstraint(
                condition=models.Q(reserved__lte=models.F("on_hand")), name="stock_reserved_within_on_hand"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.available} available"

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


class StockMovement(models.Model):
    """One change of a variant's on_hand and/or reserved; their sums are the current stock."""

    class Kind(models.TextChoices):
        ADJUSTMENT = "adjustment"
        RESERVATION = "reservation"
        RELEASE = "release"
        COMMIT = "commit"
        RESTOCK = "restock"
        EXPIRY = "expiry"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    variant = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    on_hand_delta = models.IntegerField(default=0)
    reserved_delta = models.IntegerField(default=0)
    reason = models.CharField(max_length=255, blank=True)
    # A staff user id, "event:<event id>" or "system".
    actor = models.CharField(max_length=64)
    order_id = models.UUIDField(null=True, blank=True, db_index=True)
    # A retried staff adjustment carries the same key and is not applied twice.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.variant_id} on_hand {self.on_hand_delta:+d} reserved {self.reserved_delta:+d}"


class InventoryOrder(ParticipantOrder):
    """What inventory knows of an order beyond its reservations: whether it was cancelled.

    Its row is locked by every transition of the order, so they run one at a time per order,
    and a cancellation that arrives before ``order.created`` still prevents the reservation.
    """
