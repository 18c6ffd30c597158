"""Settings of payment_service; the shared defaults come from ecom_common.settings."""

from pathlib import Path

from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import cache_config, database_config, spectacular_settings

SERVICE_NAME = "payment"  # also its PostgreSQL schema
BASE_DIR = Path(__file__).resolve().parents[2]

ROOT_URLCONF = "payment_service.urls"
WSGI_APPLICATION = "payment_service.wsgi.application"
INSTALLED_APPS = [*SHARED_APPS, ]  # noqa: F405

DATABASES = {"default": database_config(SERVICE_NAME)}
CACHES = {"default": cache_config(SERVICE_NAME)}

STATIC_URL = "/static/payments/"

CELERY_TASK_DEFAULT_QUEUE = "payment_service"

SPECTACULAR_SETTINGS = spectacular_settings(
    title="Payments API",
    description="Payments and refunds through a provider interface.",
)
