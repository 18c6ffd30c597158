"""Reads of payments."""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from payments.models import Payment


def payment_list(*, user_id: str | None) -> QuerySet[Payment]:
    """The payments of ``user_id``; every payment when ``user_id`` is None (staff)."""
    payments = Payment.objects.order_by("-created_at", "id")
    return payments if user_id is None else payments.filter(user_id=user_id)


def payment_stalled_ids() -> list:
    """Payments left processing for ``PAYMENT_STALLED_SECONDS`` with no progress (their charge task was lost)."""
    cutoff = timezone.now() - timedelta(seconds=settings.PAYMENT_STALLED_SECONDS)
    return list(
        Payment.objects.filter(status=Payment.Status.PROCESSING, updated_at__lt=cutoff)
        .order_by("updated_at")
        .values_list("id", flat=True)
    )
