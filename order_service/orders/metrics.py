"""The order service's business metrics (ecom_common.business_metrics): orders placed,
confirmed and cancelled by reason, sagas in flight, and how long recent sagas took."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeHistogramMetricFamily, GaugeMetricFamily

from orders.dashboard import IN_FLIGHT, compensation_figures
from orders.models import CheckoutSaga, Order, OrderStatus, OrderStatusChange

SAGA_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)


def metrics():
    yield CounterMetricFamily("ecom_orders_placed", "Orders placed.", Order.objects.count())
    changes = OrderStatusChange.objects.filter(status__in=[OrderStatus.CONFIRMED, OrderStatus.CANCELLED])
    confirmed = CounterMetricFamily("ecom_orders_confirmed", "Orders confirmed (paid, stock committed).")
    confirmed.add_metric([], changes.filter(status=OrderStatus.CONFIRMED).count())
    yield confirmed
    cancelled = CounterMetricFamily("ecom_orders_cancelled", "Orders cancelled, by reason.", labels=["reason"])
    by_reason = changes.filter(status=OrderStatus.CANCELLED).values("reason").annotate(n=Count("id"))
    for row in by_reason.order_by("reason"):
        cancelled.add_metric([row["reason"] or "unknown"], row["n"])
    yield cancelled
    in_flight = CheckoutSaga.objects.filter(state__in=IN_FLIGHT)
    yield GaugeMetricFamily("ecom_sagas_in_flight", "Checkouts waiting on inventory or payment.", in_flight.count())
    yield GaugeMetricFamily(
        "ecom_sagas_stuck",
        "Checkouts still waiting past their deadline.",
        in_flight.filter(deadline__lt=timezone.now()).count(),
    )
    compensation = compensation_figures(timezone.now())
    yield GaugeMetricFamily(
        "ecom_sagas_compensating",
        "Cancelled orders whose stock or money is not back yet.",
        compensation["sagas_compensating"],
    )
    yield GaugeMetricFamily(
        "ecom_compensations_overdue",
        "Cancelled orders still compensating after ORDER_COMPENSATION_ALERT_SECONDS.",
        compensation["compensations_overdue"],
    )
    yield _saga_durations()


def _saga_durations() -> GaugeHistogramMetricFamily:
    """How long the sagas that ended (confirmed or cancelled by the saga) in the last
    SAGA_METRICS_WINDOW_SECONDS took, from the order's creation: one aggregate query."""
    window = settings.SAGA_METRICS_WINDOW_SECONDS
    ended = OrderStatusChange.objects.filter(
        status__in=[OrderStatus.CONFIRMED, OrderStatus.CANCELLED], at__gte=timezone.now() - timedelta(seconds=window)
    ).annotate(took=F("at") - F("order__created_at"))
    counts = ended.aggregate(
        total=Count("id"),
        took_sum=Sum("took"),
        **{
            f"le_{n}": Count("id", filter=Q(took__lte=timedelta(seconds=bound)))
            for n, bound in enumerate(SAGA_BUCKETS)
        },
    )
    buckets = [(str(bound), counts[f"le_{n}"]) for n, bound in enumerate(SAGA_BUCKETS)] + [("+Inf", counts["total"])]
    return GaugeHistogramMetricFamily(
        "ecom_saga_duration_seconds",
        f"Checkouts that ended in the last {window} s, by how long they took (order placed to its outcome).",
        buckets=buckets,
        gsum_value=counts["took_sum"].total_seconds() if counts["took_sum"] else 0,
    )
