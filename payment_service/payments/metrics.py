"""The payment service's business metrics (ecom_common.business_metrics): payments by outcome."""

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from payments.models import Payment


def metrics():
    payments = GaugeMetricFamily("ecom_payments", "Payments by their current status.", labels=["status"])
    counts = dict(Payment.objects.values_list("status").annotate(n=Count("id")))
    for status in Payment.Status.values:
        payments.add_metric([status], counts.get(status, 0))
    yield payments
