"""Settings of product_service; the shared defaults come from ecom_common.settings."""

from ecom_common import service_registry
from ecom_common.settings import *  # noqa: F403 - the shared defaults of every service
from ecom_common.settings import SHARED_APPS, cache_config, database_config, env, spectacular_settings

# What the service registry says of this service (ecom_common/service_registry.py), spelt out;
# a shared test checks them against the registry.
SERVICE_NAME = "product"  # also its PostgreSQL schema, cache prefix and cookie prefix
_service = service_registry.service(SERVICE_NAME)
# django.contrib.postgres: the full-text index (catalog_product_search) is a GinIndex.
INSTALLED_APPS = [*SHARED_APPS, "django.contrib.postgres", "catalog"]
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
    description="Categories and products: browse, search, and staff-managed catalog.",
)

# ---------------------------------------------------------------------------
# Catalog cache: product responses served from Redis (see catalog/cache.py)
# ---------------------------------------------------------------------------
CATALOG_CACHE_ENABLED = "REDIS_URL" in env
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=300)
# How long the gateway in front may answer the public catalog reads (product list and detail,
# anonymous and cookie-less) from its own micro-cache without asking: the staleness a write may
# have there. 0: never (the X-Accel-Expires header is not sent).
CATALOG_GATEWAY_CACHE_SECONDS = env.int("CATALOG_GATEWAY_CACHE_SECONDS", default=1)

# ---------------------------------------------------------------------------
# Product images (catalog/images.py): stored through Django's storage API
# ---------------------------------------------------------------------------
# With no settings, files under var/media/, served at /media/ by this service (and the gateway in
# front of it). With MEDIA_BUCKET set, any S3-compatible store (AWS S3, MinIO, R2...) through
# django-storages; its credentials and endpoint come from the AWS_* variables boto3 reads
# (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_S3_ENDPOINT_URL), and MEDIA_URL is the bucket's
# public address.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")  # noqa: F405
MEDIA_BUCKET = env("MEDIA_BUCKET", default="")
if MEDIA_BUCKET:
    STORAGES["default"] = {  # noqa: F405
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "custom_domain": env("MEDIA_CUSTOM_DOMAIN", default=None),
            "querystring_auth": False,  # product images are public
            "file_overwrite": False,
        },
    }
    MEDIA_URL = env("MEDIA_URL", default="")
else:
    MEDIA_URL = "/media/"
# Refused before anything is stored: larger files (bytes) and larger images (pixels, read from the
# header, before any decoding: a 20000 x 20000 PNG of a few kilobytes is a decompression bomb).
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
# Renditions made by the worker: name -> longest side in pixels (WebP).
IMAGE_RENDITIONS = {"thumbnail": 200, "medium": 800}
# How often beat looks for images whose renditions are missing (an upload whose task was lost).
IMAGE_RENDITIONS_SWEEP_SECONDS = env.float("IMAGE_RENDITIONS_SWEEP_SECONDS", default=60.0)
