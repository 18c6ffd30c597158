"""Payments' figures on the order admin's dashboard (ecom_common.staff_summary)."""

from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from payments.models import Payment, Refund

CHARGED = [Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED]


def figures() -> dict:
    """Outcomes of the last 7 days: how many charges succeeded, failed, and the success rate;
    and now: the refunds owed to customers that the provider has not made yet (swept until it does)."""
    recent = Payment.objects.filter(created_at__gte=timezone.now() - timedelta(days=7))
    counts = recent.aggregate(
        succeeded=Count("id", filter=Q(status__in=CHARGED)), failed=Count("id", filter=Q(status=Payment.Status.FAILED))
    )
    attempted = counts["succeeded"] + counts["failed"]
    owed = Refund.objects.filter(status=Refund.Status.OWED).aggregate(count=Count("id"), amount=Sum("amount"))
    return {
        "payments_7d_succeeded": counts["succeeded"],
        "payments_7d_failed": counts["failed"],
        "payment_success_rate_7d": round(counts["succeeded"] / attempted, 3) if attempted else None,
        "refunds_owed": owed["count"],
        "refunds_owed_amount": f"{owed['amount'] or 0:.2f}",
    }
