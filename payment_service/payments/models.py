"""Payments (one charge per order at most) and the sandbox provider's own ledger."""

import uuid
from decimal import Decimal

from django.db import models

from ecom_common.money import DEFAULT_CURRENCY, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, PAYMENT_TOKEN_MAX_LENGTH
from ecom_common.saga_participants import ParticipantOrder


class Payment(models.Model):
    """The charge of one order, moved along by the checkout saga's events.

    Of the card it keeps only the processor's test token (``tok_visa``): no number, no CVC.
    """

    class Status(models.TextChoices):
        PROCESSING = "processing", "Processing"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"
        VOIDED = "voided", "Voided"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order_id = models.UUIDField(unique=True)
    user_id = models.UUIDField(db_index=True)
    amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROCESSING)
    token = models.CharField(max_length=PAYMENT_TOKEN_MAX_LENGTH, blank=True)
    provider_reference = models.CharField(max_length=100, blank=True)
    refund_reference = models.CharField(max_length=100, blank=True, help_text="The latest refund's reference.")
    # What has been given back (Refund rows add up to it); the rest of amount is still charged.
    refunded_amount = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=Decimal("0.00")
    )
    failure_reason = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    # A payment voided while its charge was in flight (cancelled during processing): the provider
    # may still settle that charge, so it is looked up again until the window closes
    # (PAYMENT_VOID_RECHECK_SECONDS), less often each time; empty once there is nothing to look for.
    voided_at = models.DateTimeField(null=True, blank=True)
    void_recheck_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="payments_payment_amount_non_negative"),
            models.CheckConstraint(
                condition=models.Q(refunded_amount__gte=0, refunded_amount__lte=models.F("amount")),
                name="payments_payment_refunded_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="payments_status_updated")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.amount} {self.currency} {self.status}"


class Refund(models.Model):
    """Money given back on a charge: all that is left when its order is cancelled, or exactly a
    received return's amount (once per return: unique with the payment).

    A refund is owed from the moment it is due until the provider makes it: the sweep
    (payment_refunds_owed_retry) asks again with backoff, for as long as it takes, with the
    same idempotency key each time. A zero refund (a free line returned) is made at once,
    without the provider.
    """

    class Status(models.TextChoices):
        OWED = "owed", "Owed"
        SUCCEEDED = "succeeded", "Succeeded"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    return_id = models.UUIDField(null=True, blank=True, help_text="The order's return; empty for a cancellation.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUCCEEDED)
    idempotency_key = models.CharField(max_length=100, blank=True, help_text="The provider's, on every attempt.")
    provider_reference = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="payments_refund_owed_due")]
        constraints = [
            models.UniqueConstraint(fields=["payment", "return_id"], name="payments_refund_once_per_return"),
            models.UniqueConstraint(
                fields=["payment"], condition=models.Q(return_id__isnull=True), name="payments_refund_one_cancellation"
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="payments_refund_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.payment_id}"


class PaymentOrder(ParticipantOrder):
    """What payment knows of an order beyond its payment: whether it was cancelled, perhaps
    before its ``order.payment_requested`` reached us (then it must never be charged).

    Its row is locked by every step of the order here, so a payment request and a cancellation
    applied at the same moment by two worker processes run one after the other.
    """


class SandboxRefund(models.Model):
    """The sandbox provider's side of a refund: several may split one charge, never past it."""

    idempotency_key = models.CharField(max_length=100, primary_key=True)
    charge = models.ForeignKey("SandboxCharge", on_delete=models.PROTECT, related_name="refunds")
    reference = models.CharField(max_length=100, unique=True)
    amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.reference


class SandboxCharge(models.Model):
    """The sandbox provider's side of a charge, as a real processor would keep it.

    Keyed by the idempotency key, so a charge retried after a crash finds its first result.
    """

    idempotency_key = models.CharField(max_length=100, primary_key=True)
    reference = models.CharField(max_length=100, unique=True)
    token = models.CharField(max_length=100)
    amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    currency = models.CharField(max_length=3)
    is_approved = models.BooleanField()
    decline_code = models.CharField(max_length=50, blank=True)
    refund_reference = models.CharField(max_length=100, blank=True)
    refund_idempotency_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference
