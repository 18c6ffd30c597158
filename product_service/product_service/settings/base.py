"""Settings of product_service; the shared defaults come from ecom_common.settings."""

from pathlib import Path

from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import cache_config, database_config, env, spectacular_settings

SERVICE_NAME = "product"  # also its PostgreSQL schema
BASE_DIR = Path(__file__).resolve().parents[2]

ROOT_URLCONF = "product_service.urls"
WSGI_APPLICATION = "product_service.wsgi.application"
INSTALLED_APPS = [*SHARED_APPS, "catalog"]  # noqa: F405

DATABASES = {"default": database_config(SERVICE_NAME)}
CACHES = {"default": cache_config(SERVICE_NAME)}

STATIC_URL = "/static/products/"

CELERY_TASK_DEFAULT_QUEUE = "product_service"

SPECTACULAR_SETTINGS = spectacular_settings(
    title="Catalog API",
    description="Categories and products: browse, search, and staff-managed catalog.",
)

# ---------------------------------------------------------------------------
# Catalog cache: product responses served from Redis (see catalog/cache.py)
# ---------------------------------------------------------------------------
CATALOG_CACHE_ENABLED = "REDIS_URL" in env
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=300)
