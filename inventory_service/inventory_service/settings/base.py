"""Settings of inventory_service; the shared defaults come from ecom_common.settings."""

from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import env, service_settings

# SERVICE_NAME, ROOT_URLCONF, WSGI_APPLICATION, INSTALLED_APPS, DATABASES, CACHES, STATIC_URL,
# CELERY_TASK_DEFAULT_QUEUE and SPECTACULAR_SETTINGS, from the service registry (ecom_common).
globals().update(
    service_settings(
        "inventory",
        apps=["stock"],
        api_description="Stock per product, reservations and movements.",
    )
)
STAFF_SUMMARY_FIGURES = "stock.dashboard.figures"  # the order admin's dashboard
BUSINESS_METRICS = "stock.metrics.metrics"  # on /metrics

# ---------------------------------------------------------------------------
# Stock: reservations and low-stock alerts (see stock/services.py)
# ---------------------------------------------------------------------------
# A new stock record's threshold: available at or below it publishes inventory.low_stock.
INVENTORY_LOW_STOCK_THRESHOLD = env.int("INVENTORY_LOW_STOCK_THRESHOLD", default=5)
# A safety net, not the saga's clock: a reservation no saga ever ends (its order lost) returns its
# units after this long. The order's deadline (ORDER_PAYMENT_TIMEOUT_SECONDS, 2 minutes) cancels a
# checkout long before; keep this far above it. A paid order whose reservation lapsed anyway still
# commits if the units are there (stock/services.py).
INVENTORY_RESERVATION_TTL_SECONDS = env.int("INVENTORY_RESERVATION_TTL_SECONDS", default=24 * 3600)
# How often beat looks for overdue reservations.
INVENTORY_EXPIRY_SWEEP_SECONDS = env.float("INVENTORY_EXPIRY_SWEEP_SECONDS", default=10.0)
