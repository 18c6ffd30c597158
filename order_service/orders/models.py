"""Orders, their status history, and the checkout saga each one runs."""

import uuid
from decimal import Decimal

from django.db import models
from django.utils import timezone

from ecom_common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, MONEY_SUM_MAX_DIGITS, PAYMENT_TOKEN_MAX_LENGTH


class OrderStatus(models.TextChoices):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"  # every unit came back and was refunded


class CancelReason(models.TextChoices):
    OUT_OF_STOCK = "out_of_stock"
    PAYMENT_DECLINED = "payment_declined"
    PAYMENT_TIMEOUT = "payment_timeout"
    CUSTOMER_REQUEST = "customer_request"


class RefundStatus(models.TextChoices):
    """Whether money is on its way back: ``pending`` from a paid order's cancellation or a
    received return until payment announces the refund, then ``refunded``."""

    NONE = "none"
    PENDING = "pending"
    REFUNDED = "refunded"


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user_id = models.UUIDField()
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    cancel_reason = models.CharField(max_length=32, choices=CancelReason.choices, null=True, blank=True)  # noqa: DJ001 - null: no reason (the API's null)
    idempotency_key = models.UUIDField()
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical checkout request.")
    # The priced breakdown (pricing/calculate.py): total = subtotal - discount_total +
    # shipping_total + tax_total (tax_total already inside the prices with PRICES_INCLUDE_TAX).
    subtotal = models.DecimalField(
        max_digits=MONEY_SUM_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=Decimal("0.00")
    )
    discount_total = models.DecimalField(
        max_digits=MONEY_SUM_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=Decimal("0.00")
    )
    shipping_total = models.DecimalField(
        max_digits=MONEY_SUM_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=Decimal("0.00")
    )
    tax_total = models.DecimalField(
        max_digits=MONEY_SUM_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=Decimal("0.00")
    )
    total = models.DecimalField(max_digits=MONEY_SUM_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    currency = models.CharField(max_length=3)
    voucher_code = models.CharField(max_length=40, blank=True)
    shipping_method_id = models.UUIDField(null=True, blank=True)
    shipping_method_name = models.CharField(max_length=120, blank=True)
    # The breakdown as the customer saw it (discounts by name and code, shipping, tax rate).
    pricing = models.JSONField(default=dict, blank=True)
    shipping_address = models.JSONField()
    # What payment gave back: the whole total for a cancelled paid order, the received returns' sum.
    refunded_total = models.DecimalField(
        max_digits=MONEY_SUM_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=Decimal("0.00")
    )
    refund_status = models.CharField(max_length=8, choices=RefundStatus.choices, default=RefundStatus.NONE)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # When inventory took the paid units off the shelf (inventory.committed): before it, the
    # order cannot ship (units still only reserved could be released by a lapse meanwhile).
    stock_committed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Idempotency is enforced by the database, so two concurrent requests cannot both win.
            models.UniqueConstraint(fields=["user_id", "idempotency_key"], name="order_idempotency_key_per_user"),
        ]
        indexes = [
            models.Index(fields=["user_id", "-created_at"], name="order_user_newest"),
            models.Index(fields=["status", "-created_at"], name="order_status_newest"),
        ]

    def __str__(self) -> str:
        return f"order {self.id} ({self.status})"


class OrderLine(models.Model):
    """A variant as it was bought: SKU, name and price snapshotted from the catalog copy."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # The line's id on the API (returns name lines by it); the integer key stays internal.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    variant_id = models.UUIDField()
    product_id = models.UUIDField()
    sku = models.CharField("SKU", max_length=64, blank=True)
    name = models.CharField(max_length=200)
    unit_price = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    quantity = models.PositiveSmallIntegerField()
    line_total = models.DecimalField(
        max_digits=MONEY_SUM_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, help_text="unit_price × quantity."
    )
    discount_total = models.DecimalField(
        max_digits=MONEY_SUM_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=Decimal("0.00")
    )
    tax_total = models.DecimalField(
        max_digits=MONEY_SUM_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=Decimal("0.00")
    )
    # What the customer paid for the line: after its discounts, with its tax; returns refund from it.
    paid_total = models.DecimalField(
        max_digits=MONEY_SUM_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=Decimal("0.00")
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class OrderStatusChange(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_history")
    status = models.CharField(max_length=16, choices=OrderStatus.choices)
    reason = models.CharField(max_length=32, choices=CancelReason.choices, null=True, blank=True)  # noqa: DJ001 - as cancel_reason
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.status} at {self.at:%Y-%m-%d %H:%M:%S}"


class SagaState(models.TextChoices):
    """Where the checkout is; every saga step reads it before acting (orders/services.py)."""

    # order.created asked inventory to reserve; waiting for inventory.reserved / reservation_failed.
    AWAITING_STOCK = "awaiting_stock"
    # order.payment_requested asked payment to charge; waiting for payment.succeeded / failed.
    AWAITING_PAYMENT = "awaiting_payment"
    COMPLETED = "completed"
    # The order is cancelled; inventory and payment compensate on order.cancelled and answer
    # (inventory.released or inventory.restocked; payment.voided or payment.refunded).
    COMPENSATING = "compensating"
    # Both answered: the units are back and no money is held.
    COMPENSATED = "compensated"


class CheckoutSaga(models.Model):
    """The checkout of one order across inventory and payment, driven from here: order_service
    sends each step's command event and moves on the reply. Its events share correlation_id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="saga")
    state = models.CharField(max_length=20, choices=SagaState.choices, default=SagaState.AWAITING_STOCK)
    # Held only until payment is asked to charge (order.payment_requested), then blanked.
    payment_token = models.CharField(max_length=PAYMENT_TOKEN_MAX_LENGTH, blank=True)
    deadline = models.DateTimeField(
        help_text="The saga's one clock: a still pending order is cancelled (payment_timeout) after this."
    )
    correlation_id = models.CharField(max_length=128, db_index=True)
    # Compensation, orchestrated: when the order was cancelled, and when each participant answered.
    compensating_since = models.DateTimeField(null=True, blank=True)
    stock_compensated_at = models.DateTimeField(null=True, blank=True)
    payment_compensated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["deadline"], name="saga_deadline")]

    def __str__(self) -> str:
        return f"saga of {self.order_id} ({self.state})"


class Shipment(models.Model):
    """How a shipped order travels: staff record it when they ship (POST .../ship/, the admin)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="shipment")
    carrier = models.CharField(max_length=100)
    tracking_number = models.CharField(max_length=100)
    shipped_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested"  # the customer asked; the parcel is on its way back
    RECEIVED = "received"  # staff received it; refund and restock are under way
    REFUNDED = "refunded"  # payment refunded exactly refund_amount


class OrderReturn(models.Model):
    """Some units of some lines of a delivered order, sent back for their money."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns")
    status = models.CharField(max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED)
    reason = models.CharField(max_length=500, blank=True)
    refund_amount = models.DecimalField(max_digits=MONEY_SUM_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    # Optional on the API: a retried request with the same key returns the same return.
    idempotency_key = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    received_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "idempotency_key"], name="order_return_idempotency_key"),
            models.CheckConstraint(condition=models.Q(refund_amount__gte=0), name="order_return_refund_non_negative"),
        ]

    def __str__(self) -> str:
        return f"return {self.id} of {self.order_id} ({self.status})"


class OrderReturnLine(models.Model):
    order_return = models.ForeignKey(OrderReturn, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=1), name="order_return_line_quantity")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line.name}"


class Customer(models.Model):
    """Who an order's ``user_id`` is, for staff: kept from ``user.registered`` and ``user.updated``
    events, and from the token of a customer who checks out before those arrived."""

    user_id = models.UUIDField(primary_key=True)
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email
