"""Settings of inventory_service; the shared defaults come from ecom_common.settings."""

from pathlib import Path

from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import cache_config, database_config, spectacular_settings

SERVICE_NAME = "inventory"  # also its PostgreSQL schema
BASE_DIR = Path(__file__).resolve().parents[2]

ROOT_URLCONF = "inventory_service.urls"
WSGI_APPLICATION = "inventory_service.wsgi.application"
INSTALLED_APPS = [*SHARED_APPS, ]  # noqa: F405

DATABASES = {"default": database_config(SERVICE_NAME)}
CACHES = {"default": cache_config(SERVICE_NAME)}

STATIC_URL = "/static/inventory/"

CELERY_TASK_DEFAULT_QUEUE = "inventory_service"

SPECTACULAR_SETTINGS = spectacular_settings(
    title="Inventory API",
    description="Stock per product, reservations and movements.",
)
