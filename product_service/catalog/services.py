"""Writes to the catalog: products with their variants, and categories (brands, attributes and
product types are in taxonomy.py). Each one retires the cached product responses once it commits, and
each product write announces itself (``product.created|updated|deleted``) in the same transaction."""

import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError, Q
from django.utils.text import slugify

from catalog.cache import catalog_cache_invalidate
from catalog.models import AttributeValue, Brand, Category, Product, ProductType, ProductVariant
from ecom_common.errors import ConflictError
from ecom_common.events import event_publish
from ecom_common.money import DEFAULT_CURRENCY


def unique_slug(*, model: type[Model], text: str, exclude_id=None, max_length: int) -> str:
    """``slugify(text)``, with ``-2``, ``-3``... appended until no other row uses it."""
    base = (slugify(text) or "item")[: max_length - 8].strip("-") or "item"
    others = model.objects.exclude(pk=exclude_id) if exclude_id else model.objects.all()
    slug, suffix = base, 2
    while others.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


def _category_path(category) -> list[str]:
    """The slugs from ``category`` up to its root (a tree a few levels deep)."""
    path = []
    while category is not None:
        path.append(category.slug)
        category = category.parent
    return path


def _product_event_data(
    product: Product, *, category_path: list[str] | None = None, variants: list[ProductVariant] | None = None
) -> dict:
    """What every ``product.*`` event carries: the product, and each of its variants (what is
    bought and stocked). ``sku`` is the first variant's, as before variants existed.
    ``category_path`` and ``variants`` (with their attribute values): the product's, when the
    caller has read them already (products_announce, for many products at once)."""
    if variants is None:
        variants = list(product.variants.prefetch_related("attribute_values__attribute"))
    return {
        "product_id": str(product.id),
        "sku": variants[0].sku if variants else "",
        "name": product.name,
        "price": str(product.price),
        "currency": product.currency,
        "is_active": product.is_active,
        "brand": product.brand.slug if product.brand_id else None,
        "category": product.category.slug if product.category_id else None,
        # The category and its ancestors: a promotion on "clothing" covers "hoodies" too.
        "category_path": (
            category_path
            if category_path is not None
            else _category_path(product.category)
            if product.category_id
            else []
        ),
        "updated_at": product.updated_at.isoformat(),
        "variants": [
            {
                "variant_id": str(variant.id),
                "sku": variant.sku,
                "price": str(variant.price),
                "currency": product.currency,
                "is_active": variant.is_active,
                "attributes": variant.attributes,
            }
            for variant in variants
        ],
    }


def fields_apply(*, instance: Model, data: dict[str, Any]) -> None:
    for field, value in data.items():
        setattr(instance, field, value)


# ---------------------------------------------------------------------------
# Products and their variants
# ---------------------------------------------------------------------------
def variant_attribute_values(*, product: Product, attributes: dict[str, str]) -> list[AttributeValue]:
    """The attribute values ``{"size": "M", "color": "red"}`` names (attribute by slug, value by
    its text or slug, either case). A product with a type may only use the type's attributes."""
    allowed = (
        set(product.product_type.variant_attributes.values_list("slug", flat=True))
        if product.product_type_id
        else None
    )
    values = []
    for attribute_slug, given in sorted(attributes.items()):
        if allowed is not None and attribute_slug not in allowed:
            raise ValidationError(
                {
                    "attributes": ValidationError(
                        f"{product.product_type.name} products do not vary by {attribute_slug!r}.",
                        code="attribute_not_in_type",
                    )
                }
            )
        wanted = str(given).strip()
        value = (
            AttributeValue.objects.select_related("attribute")
            .filter(attribute__slug=attribute_slug)
            .filter(Q(value__iexact=wanted) | Q(slug=slugify(wanted)))
            .first()
        )
        if value is None:
            raise ValidationError(
                {"attributes": ValidationError(f"{attribute_slug!r} has no value {wanted!r}.", code="unknown_value")}
            )
        values.append(value)
    return values


def variant_attributes_key(values: list[AttributeValue]) -> str:
    """What the unique (product, attributes_key) constraint compares: "color=red;size=m"."""
    return ";".join(sorted(f"{value.attribute.slug}={value.slug}" for value in values))


def _variant_save(*, variant: ProductVariant, values: list[AttributeValue] | None) -> ProductVariant:
    """Validates and saves the variant (with its values, when given): a SKU used elsewhere, or an
    attribute combination another variant of the product has, is a ValidationError."""
    if values is not None:
        variant.attributes_key = variant_attributes_key(values)
    duplicate = (
        ProductVariant.objects.filter(product_id=variant.product_id, attributes_key=variant.attributes_key)
        .exclude(pk=variant.pk)
        .exists()
    )
    if duplicate:
        raise ValidationError(
            {
                "attributes": ValidationError(
                    "Another variant of this product has these attribute values.", code="duplicate_attributes"
                )
            }
        )
    variant.full_clean(exclude=["product"])
    variant.save()
    if values is not None:
        variant.attribute_values.set(values)
    return variant


def _variants_changed(product: Product) -> Product:
    """After any change to a product's variants: its "from" price follows them, and the change
    is announced with every variant."""
    variants = list(product.variants.all())
    active = [variant.price for variant in variants if variant.is_active]
    product.price = min(active or [variant.price for variant in variants] or [product.price])
    product.save(update_fields=["price", "updated_at"])
    return product


def _locked(product: Product) -> Product:
    """The product as it is now, locked until the transaction ends: writes to one product (and
    its variants) run one after another, each on the others' result."""
    return Product.objects.select_for_update().get(pk=product.pk)


@transaction.atomic
def product_create(
    *,
    name: str,
    sku: str | None = None,
    price: Decimal | None = None,
    variants: list[dict] | None = None,
    slug: str | None = None,
    description: str = "",
    currency: str = DEFAULT_CURRENCY,
    category: Category | None = None,
    brand: Brand | None = None,
    product_type: ProductType | None = None,
    is_active: bool = True,
    id: uuid.UUID | None = None,
) -> Product:
    """A product and its variants: ``variants`` (each ``{sku, price, attributes, is_active}``, each
    with a new id), or the old shape, ``sku`` and ``price``: one default variant with the
    product's id."""
    id = id or uuid.uuid4()  # noqa: A001 - the field's name, as in the model
    if not variants:
        if not sku or price is None:
            raise ValidationError(
                {"variants": ValidationError("Give the product's variants, or its sku and price.", code="required")}
            )
        # The one default variant takes the product's id, as every product's did when variants
        # came (migration 0002): for a product without variants, the product id names what is
        # stocked, carted and ordered, so clients from before variants keep working unchanged.
        variants = [{"sku": sku, "price": price, "id": id}]
    product = Product(
        id=id,
        name=name,
        price=min(Decimal(variant["price"]) for variant in variants),
        slug=slug or unique_slug(model=Product, text=name, max_length=220),
        description=description,
        currency=currency,
        category=category,
        brand=brand,
        product_type=product_type,
        is_active=is_active,
    )
    product.full_clean()
    product.save()
    for position, fields in enumerate(variants):
        _variant_add(product=product, position=position, **fields)
    _variants_changed(product)
    event_publish(type="product.created", data=_product_event_data(product))
    catalog_cache_invalidate()
    return product


def _variant_add(
    *,
    product: Product,
    sku: str,
    price: Decimal,
    attributes: dict[str, str] | None = None,
    is_active: bool = True,
    position: int = 0,
    id: uuid.UUID | None = None,
) -> ProductVariant:
    variant = ProductVariant(
        id=id or uuid.uuid4(), product=product, sku=sku, price=price, is_active=is_active, position=position
    )
    return _variant_save(
        variant=variant, values=variant_attribute_values(product=product, attributes=attributes or {})
    )


SINGLE_VARIANT_FIELDS = ("sku", "price")


@transaction.atomic
def product_update(*, product: Product, data: dict[str, Any]) -> Product:
    """Sets the fields in ``data`` on the product as it is now; an empty ``slug`` is generated
    from the name again. The row is locked and re-read first, so two members of staff changing
    different fields at once both keep their change (``product`` may be a copy read earlier).

    ``sku`` and ``price`` (the shape before variants) change the product's only variant; a
    product with several variants changes them one by one instead.
    """
    product = _locked(product)
    data = dict(data)
    variant_fields = {field: data.pop(field) for field in SINGLE_VARIANT_FIELDS if field in data}
    if "slug" in data and not data["slug"]:
        data["slug"] = unique_slug(
            model=Product, text=data.get("name", product.name), exclude_id=product.pk, max_length=220
        )
    fields_apply(instance=product, data=data)
    product.full_clean()
    product.save()
    if variant_fields:
        variants = list(product.variants.all())
        if len(variants) != 1:
            field = next(iter(variant_fields))
            raise ValidationError(
                {
                    field: ValidationError(
                        "This product has several variants: change each at /api/products/{id}/variants/.",
                        code="several_variants",
                    )
                }
            )
        fields_apply(instance=variants[0], data=variant_fields)
        _variant_save(variant=variants[0], values=None)
        _variants_changed(product)
    event_publish(type="product.updated", data=_product_event_data(product))
    catalog_cache_invalidate()
    return product


@transaction.atomic
def product_delete(*, product: Product) -> None:
    variants = list(product.variants.values_list("id", "sku"))
    event_publish(
        type="product.deleted",
        data={
            "product_id": str(product.id),
            "sku": variants[0][1] if variants else "",
            "variant_ids": [str(variant_id) for variant_id, _ in variants],
        },
    )
    product.delete()
    catalog_cache_invalidate()


def variant_values_check(*, product_type: ProductType | None, values: list[AttributeValue]) -> None:
    """What the admin's variant forms check before saving: one value per attribute, each of an
    attribute the product's type varies by."""
    attributes = [value.attribute for value in values]
    if len({attribute.pk for attribute in attributes}) != len(attributes):
        raise ValidationError("A variant has one value per attribute.", code="several_values")
    if product_type is not None:
        allowed = set(product_type.variant_attributes.values_list("pk", flat=True))
        outside = sorted(attribute.name for attribute in attributes if attribute.pk not in allowed)
        if outside:
            raise ValidationError(
                f"{product_type.name} products do not vary by {', '.join(outside)}.", code="attribute_not_in_type"
            )


@transaction.atomic
def product_variants_saved(*, product: Product, created: bool) -> Product:
    """After the admin saved a product's variants itself (an inline form): each variant's
    attribute key, the product's price, and the announcement (``product.created`` for a new
    product, else ``product.updated``)."""
    product = _locked(product)
    for variant in product.variants.prefetch_related("attribute_values__attribute"):
        key = variant_attributes_key(list(variant.attribute_values.all()))
        if key != variant.attributes_key:
            variant.attributes_key = key
            _variant_save(variant=variant, values=None)
    _variants_changed(product)
    event_publish(type="product.created" if created else "product.updated", data=_product_event_data(product))
    catalog_cache_invalidate()
    return product


@transaction.atomic
def variant_create(*, product: Product, **fields) -> ProductVariant:
    """Adds a variant (``sku``, ``price``, ``attributes``, ``is_active``, ``position``)."""
    product = _locked(product)
    fields.setdefault("position", product.variants.count())
    variant = _variant_add(product=product, **fields)
    _variants_changed(product)
    event_publish(type="product.updated", data=_product_event_data(product))
    catalog_cache_invalidate()
    return variant


@transaction.atomic
def variant_update(*, variant: ProductVariant, data: dict[str, Any]) -> ProductVariant:
    product = _locked(variant.product)
    variant = ProductVariant.objects.get(pk=variant.pk)
    data = dict(data)
    attributes = data.pop("attributes", None)
    fields_apply(instance=variant, data=data)
    values = None if attributes is None else variant_attribute_values(product=product, attributes=attributes)
    _variant_save(variant=variant, values=values)
    _variants_changed(product)
    event_publish(type="product.updated", data=_product_event_data(product))
    catalog_cache_invalidate()
    return variant


@transaction.atomic
def variant_delete(*, variant: ProductVariant) -> None:
    """Removes a variant; a product keeps at least one (delete the product instead)."""
    product = _locked(variant.product)
    if product.variants.count() <= 1:
        raise ConflictError("A product keeps at least one variant: delete the product instead.")
    variant.delete()
    _variants_changed(product)
    event_publish(type="product.updated", data=_product_event_data(product))
    catalog_cache_invalidate()


# ---------------------------------------------------------------------------
# Products under a category or brand that changed
# ---------------------------------------------------------------------------
ANNOUNCE_BATCH = 500


def products_announce(*, products) -> int:
    """``product.updated`` for each of ``products``, whose brand slug or category path changed
    under them: order_service prices promotions and vouchers scoped by category or brand from
    what these events say. Read in batches of ANNOUNCE_BATCH (a big category is thousands of
    products); published in the caller's transaction, with the change that caused them."""
    paths: dict = {}
    count = 0
    queryset = products.select_related("brand", "category").prefetch_related("variants__attribute_values__attribute")
    for product in queryset.order_by("pk").iterator(chunk_size=ANNOUNCE_BATCH):
        if product.category_id not in paths:
            paths[product.category_id] = _category_path(product.category) if product.category_id else []
        data = _product_event_data(
            product, category_path=paths[product.category_id], variants=list(product.variants.all())
        )
        event_publish(type="product.updated", data=data)
        count += 1
    return count


def category_products_announce(*, category: Category) -> int:
    """Every product filed under ``category`` or below it: their category paths changed."""
    from catalog.selectors import category_descendant_ids

    return products_announce(
        products=Product.objects.filter(category_id__in=category_descendant_ids(category=category))
    )


def brand_products_announce(*, brand: Brand) -> int:
    return products_announce(products=Product.objects.filter(brand=brand))


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
        slug=slug or unique_slug(model=Category, text=name, max_length=140),
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
        data["slug"] = unique_slug(
            model=Category, text=data.get("name", category.name), exclude_id=category.pk, max_length=140
        )
    before = (category.slug, category.parent_id)
    fields_apply(instance=category, data=data)
    category.full_clean()
    category.save()
    if (category.slug, category.parent_id) != before:  # moved or re-slugged: every path below changed
        category_products_announce(category=category)
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
