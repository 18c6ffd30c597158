"""The order service's copy of the catalog: kept by ``product.*`` events, and read from the
catalog service when the copy has never heard of a product.

The copy is kept by ``product.*`` events; a product staff just created can be bought before its
``product.created`` arrives: checkout and the cart ask the catalog once, store the answer in the
copy (as of the product's ``updated_at``, so events stay authoritative), then go on as usual.
A product the copy knows (even inactive or deleted) is never fetched: the events decided it.
"""

import logging
import uuid
from datetime import datetime
from decimal import Decimal

import requests
from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime

from cart.models import CatalogProduct

logger = logging.getLogger(__name__)

# A checkout waits at most this long per unknown product before calling it unavailable.
CATALOG_TIMEOUT_SECONDS = 2


@transaction.atomic
def catalog_product_upsert(
    *,
    product_id: uuid.UUID,
    sku: str,
    name: str,
    price: Decimal,
    currency: str,
    is_active: bool,
    updated_at: datetime,
) -> CatalogProduct:
    """Stores the product as of ``updated_at``, unless a newer state (or its deletion) is known."""
    product = CatalogProduct.objects.select_for_update().filter(product_id=product_id).first()
    if product is None:
        product = CatalogProduct(product_id=product_id)
    elif product.is_deleted or (product.source_updated_at and product.source_updated_at >= updated_at):
        logger.info("stale product event ignored", extra={"product_id": str(product_id)})
        return product
    product.sku, product.name, product.price, product.currency = sku, name, price, currency
    product.is_active = is_active
    product.source_updated_at = updated_at
    product.save()
    return product


@transaction.atomic
def catalog_product_mark_deleted(*, product_id: uuid.UUID, sku: str) -> CatalogProduct:
    """Marks the product deleted for good; a tombstone is made if it was never seen."""
    product = CatalogProduct.objects.select_for_update().filter(product_id=product_id).first()
    if product is None:
        product = CatalogProduct(product_id=product_id, sku=sku)
    product.is_active = False
    product.is_deleted = True
    product.save()
    return product


def catalog_product_store(*, product_id: uuid.UUID, data: dict) -> CatalogProduct:
    """``catalog_product_upsert`` from the catalog's own shape of a product (its events' data
    and its API's body carry the same fields)."""
    return catalog_product_upsert(
        product_id=product_id,
        sku=data["sku"],
        name=data["name"],
        price=Decimal(str(data["price"])),
        currency=data["currency"],
        is_active=data["is_active"],
        updated_at=parse_datetime(data["updated_at"]),
    )


def catalog_products_fetch_missing(*, product_ids: list[uuid.UUID]) -> int:
    """Copies from the catalog the products of ``product_ids`` the copy lacks; returns how many."""
    known = set(CatalogProduct.objects.filter(product_id__in=product_ids).values_list("product_id", flat=True))
    fetched = 0
    for product_id in dict.fromkeys(product_ids):
        if product_id in known:
            continue
        product = _catalog_product(product_id)
        if product is None:
            continue
        with transaction.atomic():
            catalog_product_store(product_id=product_id, data=product)
        fetched += 1
    return fetched


def _catalog_product(product_id: uuid.UUID) -> dict | None:
    url = f"{settings.CATALOG_SERVICE_URL}/api/products/{product_id}/"
    try:
        response = requests.get(url, timeout=CATALOG_TIMEOUT_SECONDS)
    except requests.RequestException as error:
        logger.warning("catalog unreachable", extra={"product_id": str(product_id), "error": repr(error)})
        return None
    if response.status_code != 200:
        return None  # not in the catalog, or not for sale
    return response.json()
