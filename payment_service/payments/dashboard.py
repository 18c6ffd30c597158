"""Payments' figures on the order admin's dashboard (ecom_common.staff_summary)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from payments.models import Payment

CHARGED = [Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED]


def figures() -> dict:
    """Outcomes of the last 7 days: how many charges succeeded, failed, and the success rate."""
    recent = Payment.objects.filter(created_at__gte=timezone.now() - timedelta(days=7))
    counts = recent.aggregate(
        succeeded=Count("id", filter=Q(status__in=CHARGED)), failed=Count("id", filter=Q(status=Payment.Status.FAILED))
    )
    attempted = counts["succeeded"] + counts["failed"]
    return {
        "payments_7d_succeeded": counts["succeeded"],
        "payments_7d_failed": counts["failed"],
        "payment_success_rate_7d": round(counts["succeeded"] / attempted, 3) if attempted else None,
    }
