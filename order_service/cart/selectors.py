"""Reads of the catalog copy and of carts."""

import uuid

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from cart.models import Cart, CartItem, CatalogVariant
from ecom_common.money import DEFAULT_CURRENCY
from pricing import services as pricing


def catalog_variant_available_map(*, variant_ids: list[uuid.UUID]) -> dict[uuid.UUID, CatalogVariant]:
    """The variants among ``variant_ids`` that can be bought now (active, not deleted), by id."""
    variants = CatalogVariant.objects.filter(variant_id__in=variant_ids, is_active=True, is_deleted=False)
    return {variant.variant_id: variant for variant in variants}


def cart_item_list(*, cart: Cart) -> list[CartItem]:
    return list(cart.items.select_related("variant").order_by("created_at", "id"))


def cart_item_queryset(*, user_id: str) -> QuerySet[CartItem]:
    """The caller's cart lines: anyone else's are simply not found."""
    return CartItem.objects.filter(cart__user_id=user_id).select_related("variant")


def cart_summary(*, cart: Cart) -> dict:
    """The cart as the API shows it, priced by the one pricing function at the catalog copy's
    current prices, with the cart's voucher, destination and shipping method. A voucher that no
    longer applies is left out and said so (``voucher_error``) rather than failing the read."""
    items = cart_item_list(cart=cart)
    currency = items[0].variant.currency if items else DEFAULT_CURRENCY
    priced_items = [(item.variant, item.quantity) for item in items if item.variant.is_available]
    options = {
        "lines": pricing.price_lines_of(priced_items),
        "currency": currency,
        "destination": pricing.Destination(country=cart.country, region=cart.region),
        "user_id": cart.user_id,
        "shipping_method_id": cart.shipping_method_id,
    }
    voucher_error = None
    try:
        priced = pricing.price_lines(**options, voucher_code=cart.voucher_code or None)
    except ValidationError as error:
        problem = error.error_dict.get("voucher_code") or error.error_dict.get("shipping_method_id")
        voucher_error = {"code": problem[0].code, "detail": problem[0].messages[0]} if problem else None
        options["shipping_method_id"] = None if "shipping_method_id" in error.error_dict else cart.shipping_method_id
        priced = pricing.price_lines(**options)
    return {
        "id": cart.id,
        "items": items,
        **pricing.breakdown_data(priced),
        "voucher_code": cart.voucher_code,
        "country": cart.country,
        "region": cart.region,
        "voucher_error": voucher_error,
    }
