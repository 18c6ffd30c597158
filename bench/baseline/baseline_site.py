"""The bare Django baseline: one file, settings + views + WSGI app.

Reads the same product rows from the same PostgreSQL schema (as role ecom_product) and the same
Redis as the product service, with none of the stack's middleware, DRF, auth or serializers,
so ``ours / baseline`` measures what our code costs on top of Django + gunicorn + nginx.
Configured from the environment by bench/run.py: BASELINE_DATABASE_URL, BASELINE_REDIS_URL.
"""

import os
from urllib.parse import urlparse

from django.conf import settings

_db = urlparse(os.environ["BASELINE_DATABASE_URL"])
settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-baseline",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_TZ=True,
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _db.path.lstrip("/"),
            "USER": _db.username,
            "PASSWORD": _db.password,
            "HOST": _db.hostname,
            "PORT": _db.port or 5432,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,  # as the services (common/ecom_common/settings.py)
            "OPTIONS": {"options": "-c search_path=product"},
        }
    },
    CACHES={
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["BASELINE_REDIS_URL"],
            "KEY_PREFIX": "baseline",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    },
)

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import Http404, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

# The product and its variants (what the catalog's response shows too), in one query as bare
# Django with raw SQL would do it; "sku" is the first variant's.
_VARIANTS = "catalog_productvariant v WHERE v.product_id = catalog_product.id"
COLUMNS = (
    "id, name, slug, description, price, currency, category_id, is_active, created_at, updated_at, "
    f"(SELECT v.sku FROM {_VARIANTS} ORDER BY v.position, v.created_at, v.id LIMIT 1) AS sku, "
    "(SELECT coalesce(json_agg(json_build_object('id', v.id, 'sku', v.sku, 'price', v.price::text, "
    f"'is_active', v.is_active) ORDER BY v.position, v.created_at, v.id), '[]') FROM {_VARIANTS}) AS variants"
)


def _rows(sql: str, params) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [
            {
                n: (str(v) if not isinstance(v, (str, bool, int, list, type(None))) else v)
                for n, v in zip(names, row, strict=True)
            }
            for row in cursor.fetchall()
        ]


def _product(product_id: str) -> dict:
    rows = _rows(f"SELECT {COLUMNS} FROM catalog_product WHERE id = %s AND is_active", [product_id])
    if not rows:
        raise Http404
    return rows[0]


def product_detail(request, product_id):
    """Cached in Redis like the catalog's anonymous detail, unless ?nocache=1."""
    if request.GET.get("nocache"):
        return JsonResponse(_product(str(product_id)))
    key = f"product:{product_id}"
    data = cache.get(key)
    if data is None:
        data = _product(str(product_id))
        cache.set(key, data, timeout=300)
    return JsonResponse(data)


def product_list(request):
    """One page of 20 active products by name, or a full-text search (uncached, raw SQL)."""
    query = request.GET.get("search", "").strip()
    if query:
        results = _rows(
            f"SELECT {COLUMNS} FROM catalog_product WHERE is_active AND "
            "(to_tsvector('english', name || ' ' || description) @@ websearch_to_tsquery('english', %s) "
            "OR name ILIKE %s) ORDER BY name, id LIMIT 20",
            [query, f"%{query}%"],
        )
    else:
        results = _rows(f"SELECT {COLUMNS} FROM catalog_product WHERE is_active ORDER BY name, id LIMIT 20", [])
    count = _rows("SELECT count(*) AS n FROM catalog_product WHERE is_active", [])[0]["n"]
    return JsonResponse({"count": count, "next": None, "previous": None, "results": results})


urlpatterns = [
    path("api/products/<uuid:product_id>/", product_detail),
    path("api/products/", product_list),
]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
