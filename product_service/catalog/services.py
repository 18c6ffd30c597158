"""Writes to the catalog. Each one retires the cached product responses once it commits, and
each product write announces itself (``product.created|updated|deleted``) in the same transaction."""

import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils.text import slugify

from catalog.cache import catalog_cache_invalidate
from catalog.models import Category, Product
from ecom_common.errors import ConflictError
from ecom_common.events import event_publish
from ecom_common.money import DEFAULT_CURRENCY


def _unique_slug(*, model: type[Model], text: str, exclude_id=None, max_length: int) -> str:
    """``slugify(text)``, with ``-2``, ``-3``... appended until no other row uses it."""
    base = (slugify(text) or "item")[: max_length - 8].strip("-") or "item"
    others = model.objects.exclude(pk=exclude_id) if exclude_id else model.objects.all()
    slug, suffix = base, 2
    while others.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


def _product_event_data(product: Product) -> dict:
    return {
        "product_id": str(product.id),
        "sku": product.sku,
        "name": product.name,
        "price": str(product.price),
        "currency": product.currency,
        "is_active": product.is_active,
        "updated_at": product.updated_at.isoformat(),
    }


def _apply(*, instance: Model, data: dict[str, Any]) -> None:
    for field, value in data.items():
        setattr(instance, field, value)


# ---------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------
@transaction.atomic
def product_create(
    *,
    sku: str,
    name: str,
    price: Decimal,
    slug: str | None = None,
    description: str = "",
    currency: str = DEFAULT_CURRENCY,
    category: Category | None = None,
    is_active: bool = True,
    id: uuid.UUID | None = None,
) -> Product:
    product = Product(
        id=id or uuid.uuid4(),
        sku=sku,
        name=name,
        price=price,
        slug=slug or _unique_slug(model=Product, text=name, max_length=220),
        description=description,
        currency=currency,
        category=category,
        is_active=is_active,
    )
    product.full_clean()
    product.save()
    event_publish(type="product.created", data=_product_event_data(product))
    catalog_cache_invalidate()
    return product


@transaction.atomic
def product_update(*, product: Product, data: dict[str, Any]) -> Product:
    """Sets the fields in ``data`` on the product as it is now; an empty ``slug`` is generated
    from the name again. The row is locked and re-read first, so two members of staff changing
    different fields at once both keep their change (``product`` may be a copy read earlier)."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    data = dict(data)
    if "slug" in data and not data["slug"]:
        data["slug"] = _unique_slug(
            model=Product, text=data.get("name", product.name), exclude_id=product.pk, max_length=220
        )
    _apply(instance=product, data=data)
    product.full_clean()
    product.save()
    event_publish(type="product.updated", data=_product_event_data(product))
    catalog_cache_invalidate()
    return product


@transaction.atomic
def product_delete(*, product: Product) -> None:
    event_publish(type="product.deleted", data={"product_id": str(product.id), "sku": product.sku})
    product.delete()
    catalog_cache_invalidate()


# ---------------------------------------------------------------------------
# Categories
# ---------------------------------------------------------------------------
def category_parent_validate(*, category: Category | None, parent: Category | None) -> None:
    """A category cannot be its own ancestor: ``parent`` must not be it or lie below it."""
    if category is None or category._state.adding or parent is None:
        return
    ancestor = parent
    seen = set()
    while ancestor is not None and ancestor.pk not in seen:
        if ancestor.pk == category.pk:
            raise ValidationError(
                {"parent": ValidationError("A category cannot be its own ancestor.", code="category_cycle")}
            )
        seen.add(ancestor.pk)
        ancestor = ancestor.parent


@transaction.atomic
def category_create(
    *,
    name: str,
    slug: str | None = None,
    parent: Category | None = None,
    description: str = "",
) -> Category:
    category = Category(
        name=name,
        slug=slug or _unique_slug(model=Category, text=name, max_length=140),
        parent=parent,
        description=description,
    )
    category.full_clean()
    category.save()
    catalog_cache_invalidate()
    return category


@transaction.atomic
def category_update(*, category: Category, data: dict[str, Any]) -> Category:
    if "parent" in data:
        category_parent_validate(category=category, parent=data["parent"])
    data = dict(data)
    if "slug" in data and not data["slug"]:
        data["slug"] = _unique_slug(
            model=Category, text=data.get("name", category.name), exclude_id=category.pk, max_length=140
        )
    _apply(instance=category, data=data)
    category.full_clean()
    category.save()
    catalog_cache_invalidate()
    return category


@transaction.atomic
def category_delete(*, category: Category) -> None:
    """Deletes an empty leaf category; one with products or sub-categories is a conflict."""
    try:
        category.delete()
    except ProtectedError as error:
        raise ConflictError(
            "This category still has products or sub-categories; move or delete them first."
        ) from error
    catalog_cache_invalidate()
