"""Writes to what products are described by: brands, attributes with their values, and product
types (which attributes a type's variants vary by). Each retires the cached catalog responses."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils.text import slugify

from catalog.cache import catalog_cache_invalidate
from catalog.models import Attribute, AttributeValue, Brand, ProductType
from catalog.services import brand_products_announce, fields_apply, unique_slug
from ecom_common.errors import ConflictError


def _save(instance: Model, *, slug_from: str, max_length: int) -> Model:
    if not instance.slug:
        instance.slug = unique_slug(
            model=type(instance), text=slug_from, exclude_id=instance.pk, max_length=max_length
        )
    instance.full_clean()
    instance.save()
    catalog_cache_invalidate()
    return instance


def _delete(instance: Model, *, in_use: str) -> None:
    try:
        instance.delete()
    except ProtectedError as error:
        raise ConflictError(in_use) from error
    catalog_cache_invalidate()


# -- brands ------------------------------------------------------------------------------------
@transaction.atomic
def brand_create(*, name: str, slug: str = "", description: str = "") -> Brand:
    return _save(Brand(name=name, slug=slug, description=description), slug_from=name, max_length=140)


@transaction.atomic
def brand_update(*, brand: Brand, data: dict[str, Any]) -> Brand:
    before = brand.slug
    fields_apply(instance=brand, data=data)
    brand = _save(brand, slug_from=brand.name, max_length=140)
    if brand.slug != before:  # its products' events name the brand by slug
        brand_products_announce(brand=brand)
    return brand


@transaction.atomic
def brand_delete(*, brand: Brand) -> None:
    _delete(brand, in_use="This brand still has products; move or delete them first.")


# -- attributes ----------------------------------------------------------------------------------
def _values_set(*, attribute: Attribute, values: list[str]) -> None:
    """The attribute's values become ``values``, in that order; one still given to a variant
    cannot be removed."""
    wanted = {}
    for position, given in enumerate(values):
        text = str(given).strip()
        slug = slugify(text)
        if not slug:
            raise ValidationError({"values": ValidationError(f"{text!r} is not a usable value.", code="invalid")})
        if slug in wanted:
            raise ValidationError({"values": ValidationError(f"{text!r} is given twice.", code="duplicate")})
        wanted[slug] = (text, position)
    removed = attribute.values.exclude(slug__in=wanted)
    if removed.filter(variants__isnull=False).exists():
        in_use = ", ".join(sorted(set(removed.filter(variants__isnull=False).values_list("value", flat=True))))
        raise ConflictError(f"Variants still have these values: {in_use}. Change those variants first.")
    removed.delete()
    for slug, (text, position) in wanted.items():
        AttributeValue.objects.update_or_create(
            attribute=attribute, slug=slug, defaults={"value": text, "position": position}
        )


@transaction.atomic
def attribute_create(*, name: str, slug: str = "", values: list[str] = ()) -> Attribute:
    attribute = _save(Attribute(name=name, slug=slug), slug_from=name, max_length=120)
    _values_set(attribute=attribute, values=list(values))
    return attribute


@transaction.atomic
def attribute_update(*, attribute: Attribute, data: dict[str, Any]) -> Attribute:
    data = dict(data)
    values = data.pop("values", None)
    fields_apply(instance=attribute, data=data)
    attribute = _save(attribute, slug_from=attribute.name, max_length=120)
    if values is not None:
        _values_set(attribute=attribute, values=values)
    return attribute


@transaction.atomic
def attribute_delete(*, attribute: Attribute) -> None:
    if AttributeValue.objects.filter(attribute=attribute, variants__isnull=False).exists():
        raise ConflictError("Variants still have values of this attribute. Change those variants first.")
    _delete(attribute, in_use="This attribute is still in use.")


# -- product types -------------------------------------------------------------------------------
@transaction.atomic
def product_type_create(*, name: str, slug: str = "", variant_attributes: list[Attribute] = ()) -> ProductType:
    product_type = _save(ProductType(name=name, slug=slug), slug_from=name, max_length=140)
    product_type.variant_attributes.set(variant_attributes)
    return product_type


@transaction.atomic
def product_type_update(*, product_type: ProductType, data: dict[str, Any]) -> ProductType:
    data = dict(data)
    attributes = data.pop("variant_attributes", None)
    fields_apply(instance=product_type, data=data)
    product_type = _save(product_type, slug_from=product_type.name, max_length=140)
    if attributes is not None:
        product_type.variant_attributes.set(attributes)
    return product_type


@transaction.atomic
def product_type_delete(*, product_type: ProductType) -> None:
    _delete(product_type, in_use="Products still have this type; change or delete them first.")
