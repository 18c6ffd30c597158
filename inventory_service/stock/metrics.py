"""The inventory service's business metrics (ecom_common.business_metrics): reservations held
and their units, and the variants at or below their low-stock threshold."""

from django.db.models import Sum
from prometheus_client.core import GaugeMetricFamily

from stock.dashboard import figures
from stock.models import Reservation


def metrics():
    held = Reservation.objects.filter(status=Reservation.Status.HELD)
    yield GaugeMetricFamily("ecom_reservations_held", "Stock reservations held for checkouts.", held.count())
    units = held.aggregate(units=Sum("quantity"))["units"] or 0
    yield GaugeMetricFamily("ecom_reserved_units", "Units held by those reservations.", units)
    yield GaugeMetricFamily(
        "ecom_low_stock_variants", "Variants at or below their low-stock threshold.", figures()["low_stock_count"]
    )
