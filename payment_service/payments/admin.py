"""Staff payments admin: read-only, since only the saga's events move a payment along."""

from django.contrib import admin

from ecom_common.admin import ReadOnlyAdmin
from payments.models import Payment, PaymentOrder, Refund, SandboxCharge


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["order_id", "user_id", "amount", "currency", "status", "provider_reference", "created_at"]
    list_filter = ["status"]
    search_fields = ["order_id", "provider_reference"]
    readonly_fields = ["token"]
    ordering = ["-created_at"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    """Refunds made and owed: an owed one is retried by the sweep until the provider makes it."""

    list_display = [
        "payment",
        "amount",
        "return_id",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["payment__order_id", "provider_reference", "return_id"]
    list_select_related = ["payment"]
    ordering = ["-created_at"]


@admin.register(SandboxCharge)
class SandboxChargeAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "idempotency_key",
        "token",
        "amount",
        "currency",
        "is_approved",
        "refund_reference",
        "created_at",
    ]
    list_filter = ["is_approved"]
    search_fields = ["reference", "idempotency_key"]
    ordering = ["-created_at"]


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyAdmin):
    list_display = ["order_id", "cancelled_at", "created_at"]
    list_filter = [("cancelled_at", admin.EmptyFieldListFilter)]
    search_fields = ["order_id"]
