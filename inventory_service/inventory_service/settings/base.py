"""Settings of inventory_service; the shared defaults come from ecom_common.settings."""

from ecom_common import service_registry
from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import SHARED_APPS, cache_config, database_config, env, spectacular_settings

# What the service registry says of this service (ecom_common/service_registry.py), spelt out;
# a shared test checks them against the registry.
SERVICE_NAME = "inventory"  # also its PostgreSQL schema, cache prefix and cookie prefix
_service = service_registry.service(SERVICE_NAME)
INSTALLED_APPS = [*SHARED_APPS, "stock"]
ROOT_URLCONF = f"{_service.package}.urls"
WSGI_APPLICATION = f"{_service.package}.wsgi.application"
DATABASES = {"default": database_config(SERVICE_NAME)}
CACHES = {"default": cache_config(SERVICE_NAME)}
STATIC_URL = f"/static/{_service.admin_slug}/"
# Every admin is on the gateway's one origin: each service's own cookies, so signing in or out of
# one admin leaves the others' sessions (and CSRF tokens) alone.
SESSION_COOKIE_NAME = f"{SERVICE_NAME}_sessionid"
CSRF_COOKIE_NAME = f"{SERVICE_NAME}_csrftoken"
CELERY_TASK_DEFAULT_QUEUE = _service.package
SPECTACULAR_SETTINGS = spectacular_settings(
    title=f"{_service.title} API",
    description="Stock per product, reservations and movements.",
)
STAFF_SUMMARY_FIGURES = "stock.dashboard.figures"  # the order admin's dashboard
BUSINESS_METRICS = "stock.metrics.metrics"  # on /metrics

# ---------------------------------------------------------------------------
# Stock: reservations and low-stock alerts (see stock/services/)
# ---------------------------------------------------------------------------
# A new stock record's threshold: available at or below it publishes inventory.low_stock.
INVENTORY_LOW_STOCK_THRESHOLD = env.int("INVENTORY_LOW_STOCK_THRESHOLD", default=5)
# A safety net, not the saga's clock: a reservation no saga ever ends (its order lost) returns its
# units after this long. The order's deadline (ORDER_PAYMENT_TIMEOUT_SECONDS, 2 minutes) cancels a
# checkout long before; keep this far above it. A paid order whose reservation lapsed anyway still
# commits if the units are there (stock/services/reservations.py).
INVENTORY_RESERVATION_TTL_SECONDS = env.int("INVENTORY_RESERVATION_TTL_SECONDS", default=24 * 3600)
# How often beat looks for overdue reservations.
INVENTORY_EXPIRY_SWEEP_SECONDS = env.float("INVENTORY_EXPIRY_SWEEP_SECONDS", default=10.0)
