"""Settings of order_service; the shared defaults come from ecom_common.settings."""

from datetime import timedelta
from pathlib import Path

from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import cache_config, database_config, env, spectacular_settings

SERVICE_NAME = "order"  # also its PostgreSQL schema
BASE_DIR = Path(__file__).resolve().parents[2]

ROOT_URLCONF = "order_service.urls"
WSGI_APPLICATION = "order_service.wsgi.application"
INSTALLED_APPS = [*SHARED_APPS, "cart", "orders"]  # noqa: F405

DATABASES = {"default": database_config(SERVICE_NAME)}
CACHES = {"default": cache_config(SERVICE_NAME)}

STATIC_URL = "/static/orders/"

CELERY_TASK_DEFAULT_QUEUE = "order_service"

SPECTACULAR_SETTINGS = spectacular_settings(
    title="Orders API",
    description="Cart, checkout and orders; orchestrates the checkout saga.",
)
# Order.cancel_reason and a status change's reason share one choice set: one enum in the schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] |= {
    "CancelReasonEnum": "orders.models.CancelReason",
    "OrderStatusEnum": "orders.models.OrderStatus",
}

# ---------------------------------------------------------------------------
# Checkout saga
# ---------------------------------------------------------------------------
# A pending order not paid within this many seconds of checkout is cancelled (payment_timeout).
ORDER_PAYMENT_TIMEOUT_SECONDS = env.int("ORDER_PAYMENT_TIMEOUT_SECONDS", default=120)
# How often beat looks for overdue sagas.
ORDER_SAGA_SWEEP_SECONDS = env.float("ORDER_SAGA_SWEEP_SECONDS", default=5.0)

CELERY_BEAT_SCHEDULE = {
    "saga-expire-overdue": {
        "task": "orders.saga_expire_overdue",
        "schedule": timedelta(seconds=ORDER_SAGA_SWEEP_SECONDS),
    },
}
