"""The order service's copy of the catalog: its variants (what is bought), kept by ``product.*``
events, read from the catalog service when the copy has never heard of a product.

A product staff just created can be bought before its ``product.created`` arrives: checkout and
the cart ask the catalog once, store the answer in the copy (as of the product's
``updated_at``, so events stay authoritative), then go on as usual. A product the copy knows
(even inactive or deleted) is never fetched: the events decided it.

What a customer names is a variant (``variant_id``) or, for a product with exactly one variant,
the product (``product_id``): ``catalog_variant_choose`` turns either into the variant.
"""

import logging
import uuid
from decimal import Decimal

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_datetime

from cart.models import CatalogVariant

logger = logging.getLogger(__name__)

# A checkout waits at most this long per unknown product before calling it unavailable.
CATALOG_TIMEOUT_SECONDS = 2


def _variants_of(data: dict) -> list[dict]:
    """The variants an event (or the catalog's API) gives for a product; one from before
    variants gives none: the product is its one variant, under its own id."""
    if data.get("variants"):
        return [{**variant, "id": variant.get("variant_id") or variant.get("id")} for variant in data["variants"]]
    return [
        {"id": data["product_id"], "sku": data["sku"], "price": data["price"], "attributes": {}, "is_active": True}
    ]


def _slug_of(value) -> str | None:
    """A brand as events name it (its slug) or as the product API shows it (an object)."""
    return value.get("slug") if isinstance(value, dict) else value


@transaction.atomic
def catalog_product_store(*, product_id: uuid.UUID, data: dict) -> list[CatalogVariant]:
    """Stores the product's variants as of its ``updated_at``, unless a newer state (or their
    deletion) is known; a variant the copy has but ``data`` lacks was removed: a tombstone."""
    updated_at = parse_datetime(data["updated_at"])
    known = {v.variant_id: v for v in CatalogVariant.objects.select_for_update().filter(product_id=product_id)}
    if any(v.source_updated_at and v.source_updated_at >= updated_at for v in known.values()):
        logger.info("stale product event ignored", extra={"product_id": str(product_id)})
        return list(known.values())
    stored = []
    for variant in _variants_of(data):
        variant_id = uuid.UUID(str(variant["id"]))
        copy = (
            known.pop(variant_id, None)
            or CatalogVariant.objects.select_for_update().filter(variant_id=variant_id).first()
        )
        if copy is None:
            copy = CatalogVariant(variant_id=variant_id)
        elif copy.is_deleted:
            continue
        copy.product_id = product_id
        copy.sku, copy.name, copy.attributes = variant["sku"], data["name"], variant.get("attributes") or {}
        copy.price, copy.currency = Decimal(str(variant["price"])), data["currency"]
        copy.category_slugs = data.get("category_path") or ([data["category"]] if data.get("category") else [])
        copy.brand_slug = _slug_of(data.get("brand")) or ""
        copy.is_active = bool(data["is_active"]) and bool(variant.get("is_active", True))
        copy.source_updated_at = updated_at
        copy.save()
        stored.append(copy)
    for removed in known.values():
        removed.is_active, removed.is_deleted, removed.source_updated_at = False, True, updated_at
        removed.save()
    return stored


@transaction.atomic
def catalog_product_mark_deleted(*, product_id: uuid.UUID, sku: str, variant_ids: list[str] | None = None) -> None:
    """Marks every variant of the product deleted for good; a tombstone is made for one never seen."""
    known = {v.variant_id: v for v in CatalogVariant.objects.select_for_update().filter(product_id=product_id)}
    for variant_id in [uuid.UUID(str(v)) for v in variant_ids or [product_id]]:
        known.setdefault(variant_id, CatalogVariant(variant_id=variant_id, product_id=product_id, sku=sku))
    for variant in known.values():
        variant.is_active, variant.is_deleted = False, True
        variant.save()


class CatalogUnreachableError(Exception):
    """The catalog did not answer (unreachable, timed out, a 5xx): not the same as "not found"."""


def _miss_key(some_id: uuid.UUID) -> str:
    return f"catalog_miss:{some_id}"


def catalog_products_fetch_missing(*, product_ids: list[uuid.UUID]) -> int:
    """Copies from the catalog the products the copy lacks; returns how many. Each id is a
    product's or a variant's (then its product is copied); one the catalog does not sell is
    simply not found.

    A request naming many unknown ids costs the catalog little: at most
    CATALOG_FETCHES_PER_REQUEST of them are asked for (the rest are unavailable), and an id the
    catalog said it does not have is not asked again for CATALOG_MISS_SECONDS."""
    known = set(
        CatalogVariant.objects.filter(product_id__in=product_ids).values_list("product_id", flat=True).distinct()
    ) | set(CatalogVariant.objects.filter(variant_id__in=product_ids).values_list("variant_id", flat=True))
    unknown = [some_id for some_id in dict.fromkeys(product_ids) if some_id not in known]
    missed = cache.get_many([_miss_key(some_id) for some_id in unknown]) if unknown else {}
    to_ask = [some_id for some_id in unknown if _miss_key(some_id) not in missed]
    fetched = 0
    for product_id in to_ask[: settings.CATALOG_FETCHES_PER_REQUEST]:
        try:
            product = _catalog_product(product_id)
        except CatalogUnreachableError:
            continue  # not remembered: it may well exist
        if product is None:
            cache.set(_miss_key(product_id), 1, timeout=settings.CATALOG_MISS_SECONDS)
            continue
        catalog_product_store(product_id=product["product_id"], data=product)
        fetched += 1
    return fetched


def _catalog_get(path: str, *, params: dict | None = None) -> dict | None:
    """The catalog's JSON answer, or None when it has none (404, not for sale); raises
    CatalogUnreachableError when it does not answer."""
    try:
        response = requests.get(
            f"{settings.CATALOG_SERVICE_URL}{path}", params=params, timeout=CATALOG_TIMEOUT_SECONDS
        )
    except requests.RequestException as error:
        logger.warning("catalog unreachable", extra={"path": path, "error": repr(error)})
        raise CatalogUnreachableError(path) from error
    if response.status_code >= 500:
        raise CatalogUnreachableError(f"{path}: {response.status_code}")
    return response.json() if response.status_code == 200 else None


def _catalog_product(some_id: uuid.UUID) -> dict | None:
    """The product with id ``some_id``, or else the product with a variant of that id."""
    product = _catalog_get(f"/api/products/{some_id}/")
    if product is None:
        page = _catalog_get("/api/products/", params={"variant": str(some_id)})
        if not page or not page.get("results"):
            return None
        product = _catalog_get(f"/api/products/{page['results'][0]['id']}/")
        if product is None:
            return None
    return {**product, "product_id": product["id"]}


def catalog_variant_choose(
    *, variant_id: uuid.UUID | None = None, product_id: uuid.UUID | None = None
) -> CatalogVariant:
    """The variant a customer names, by its id or by its product's (a product with exactly one
    variant). A ValidationError with code ``unavailable`` (not for sale, or unknown) or
    ``variant_required`` (the product comes in several variants)."""
    if variant_id is not None:
        variant = CatalogVariant.objects.filter(variant_id=variant_id).first()
    else:
        variants = list(CatalogVariant.objects.filter(product_id=product_id, is_deleted=False)[:2])
        if len(variants) > 1:
            raise ValidationError(
                "This product comes in several variants: name the one you want with variant_id.",
                code="variant_required",
            )
        variant = variants[0] if variants else None
    if variant is None or not variant.is_available:
        raise ValidationError("This product is not available.", code="unavailable")
    return variant
