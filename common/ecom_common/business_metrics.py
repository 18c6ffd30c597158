"""Business metrics on every service's ``/metrics``, read from its database when Prometheus
scrapes (so every web worker answers alike and a restart loses nothing): the event bus's health
here, and the service's own figures (``BUSINESS_METRICS``, a dotted path to a function yielding
prometheus_client metric families). A database that cannot be read leaves them out of that
scrape; the rest of /metrics still answers."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY

logger = logging.getLogger(__name__)


class BusinessMetricsCollector:
    def collect(self):
        from ecom_common.staff_summary import event_bus_figures

        try:
            figures = event_bus_figures()
            families = [
                GaugeMetricFamily(
                    "ecom_outbox_backlog", "Events written, not yet published.", figures["outbox_backlog"]
                ),
                GaugeMetricFamily(
                    "ecom_outbox_oldest_age_seconds",
                    "Age of the oldest event waiting in the outbox (0: none waiting).",
                    figures["outbox_oldest_seconds"],
                ),
                GaugeMetricFamily(
                    "ecom_dead_letters_open", "Dead letters not replayed yet.", figures["dead_letters_open"]
                ),
            ]
            if settings.BUSINESS_METRICS:
                families += list(import_string(settings.BUSINESS_METRICS)())
        except Exception:
            logger.exception("business metrics could not be read")
            return
        yield from families

    def describe(self):
        return []  # registered without a scrape (no database read at start-up)


def business_metrics_register() -> None:
    """Once per process (ecom_common's AppConfig.ready)."""
    if not getattr(business_metrics_register, "done", False):
        REGISTRY.register(BusinessMetricsCollector())
        business_metrics_register.done = True
