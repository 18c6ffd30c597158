"""What a service taking part in an order's saga (inventory, payment) keeps of each order it
hears of: one row per order, which is both the per-order lock and the memory that the order
was cancelled, so a cancellation that overtakes the order's first event still wins.

    class InventoryOrder(ParticipantOrder): ...

    order = InventoryOrder.objects.lock(order_id)   # in the handler's transaction
    if order.is_cancelled: ...
    order.cancel()

A row lock rather than an advisory one: it works the same on PostgreSQL and SQLite (where
writers are serialized anyway), and the admin shows what each service knows of an order.
"""

import uuid

from django.db import models
from django.utils import timezone


class ParticipantOrderManager(models.Manager):
    def lock(self, order_id: uuid.UUID | str):
        """The order's row, created if new and locked until the transaction ends: every step of
        one order in this service runs one at a time, whatever order its events arrive in."""
        self.get_or_create(order_id=order_id)
        return self.select_for_update().get(order_id=order_id)


class ParticipantOrder(models.Model):
    order_id = models.UUIDField(primary_key=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ParticipantOrderManager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.order_id)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def cancel(self) -> None:
        """Remembers the cancellation (once; the row must be locked)."""
        if self.cancelled_at is None:
            self.cancelled_at = timezone.now()
            self.save(update_fields=["cancelled_at"])
