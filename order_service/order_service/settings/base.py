"""Settings of order_service; the shared defaults come from ecom_common.settings."""

from pathlib import Path

from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import cache_config, database_config, spectacular_settings

SERVICE_NAME = "order"  # also its PostgreSQL schema
BASE_DIR = Path(__file__).resolve().parents[2]

ROOT_URLCONF = "order_service.urls"
WSGI_APPLICATION = "order_service.wsgi.application"
INSTALLED_APPS = [*SHARED_APPS, ]  # noqa: F405

DATABASES = {"default": database_config(SERVICE_NAME)}
CACHES = {"default": cache_config(SERVICE_NAME)}

STATIC_URL = "/static/orders/"

CELERY_TASK_DEFAULT_QUEUE = "order_service"

SPECTACULAR_SETTINGS = spectacular_settings(
    title="Orders API",
    description="Cart, checkout and orders; orchestrates the checkout saga.",
)
