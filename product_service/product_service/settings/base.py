"""Settings of product_service; the shared defaults come from ecom_common.settings."""

from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import env, service_settings

# SERVICE_NAME, ROOT_URLCONF, WSGI_APPLICATION, INSTALLED_APPS, DATABASES, CACHES, STATIC_URL,
# CELERY_TASK_DEFAULT_QUEUE and SPECTACULAR_SETTINGS, from the service registry (ecom_common).
globals().update(
    service_settings(
        "product",
        apps=["catalog"],
        api_description="Categories and products: browse, search, and staff-managed catalog.",
    )
)

# ---------------------------------------------------------------------------
# Catalog cache: product responses served from Redis (see catalog/cache.py)
# ---------------------------------------------------------------------------
CATALOG_CACHE_ENABLED = "REDIS_URL" in env
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=300)
