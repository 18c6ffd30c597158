"""Settings of order_service; the shared defaults come from ecom_common.settings."""

from ecom_common import service_registry
from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import SERVICE_URLS, SHARED_APPS, cache_config, database_config, env, spectacular_settings

# What the service registry says of this service (ecom_common/service_registry.py), spelt out;
# a shared test checks them against the registry.
SERVICE_NAME = "order"  # also its PostgreSQL schema, cache prefix and cookie prefix
_service = service_registry.service(SERVICE_NAME)
INSTALLED_APPS = [*SHARED_APPS, "cart", "orders", "pricing"]
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
    description="Cart, checkout and orders; orchestrates the checkout saga.",
)
STAFF_SUMMARY_FIGURES = "orders.dashboard.figures"  # the order admin's dashboard
BUSINESS_METRICS = "orders.metrics.metrics"  # on /metrics
# The saga duration histogram on /metrics counts the checkouts that ended this recently.
SAGA_METRICS_WINDOW_SECONDS = env.int("SAGA_METRICS_WINDOW_SECONDS", default=300)

# Order.cancel_reason and a status change's reason share one choice set: one enum in the schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] |= {
    "CancelReasonEnum": "orders.models.CancelReason",
    "OrderStatusEnum": "orders.models.OrderStatus",
    "DiscountKindEnum": "pricing.models.DiscountKind",
    "PromotionKindEnum": ["percentage", "fixed"],
}

# ---------------------------------------------------------------------------
# Checkout saga
# ---------------------------------------------------------------------------
# A pending order not paid within this many seconds of checkout is cancelled (payment_timeout).
ORDER_PAYMENT_TIMEOUT_SECONDS = env.int("ORDER_PAYMENT_TIMEOUT_SECONDS", default=120)
# Where checkout reads a product its catalog copy has not heard of yet (cart/catalog.py).
CATALOG_SERVICE_URL = env("CATALOG_SERVICE_URL", default=SERVICE_URLS["product"])
# Of the ids one request names that the catalog copy lacks, at most this many are asked of the
# catalog (each is one or two calls); an id the catalog does not have is not asked again for
# CATALOG_MISS_SECONDS. A checkout of 100 made-up ids is then 10 calls, not 200; sent again, it
# asks only about ids not asked yet.
CATALOG_FETCHES_PER_REQUEST = env.int("CATALOG_FETCHES_PER_REQUEST", default=5)
CATALOG_MISS_SECONDS = env.int("CATALOG_MISS_SECONDS", default=30)
# How many days after delivery a customer may return units of an order.
RETURN_WINDOW_DAYS = env.int("RETURN_WINDOW_DAYS", default=30)
# Checkout only for customers who verified their e-mail address (the access token's
# email_verified claim; a token from before the claim counts as unverified). Off: anyone signed in.
ORDER_REQUIRE_VERIFIED_EMAIL = env.bool("ORDER_REQUIRE_VERIFIED_EMAIL", default=False)
# Whether catalog prices already contain tax (VAT style): then tax_total is the part of the total
# that is tax; else (the default, US style) tax is added on top (pricing/calculate.py).
PRICES_INCLUDE_TAX = env.bool("PRICES_INCLUDE_TAX", default=False)
# A cancelled order whose stock or money is not back after this long shows on the order admin's
# dashboard and in /metrics (ecom_compensations_overdue).
ORDER_COMPENSATION_ALERT_SECONDS = env.int("ORDER_COMPENSATION_ALERT_SECONDS", default=3600)
# How often beat looks for overdue sagas.
ORDER_SAGA_SWEEP_SECONDS = env.float("ORDER_SAGA_SWEEP_SECONDS", default=5.0)
