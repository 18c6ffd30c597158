"""Reads of the catalog copy and of carts."""

import uuid
from decimal import Decimal

from django.db.models import QuerySet

from cart.models import Cart, CartItem, CatalogVariant
from ecom_common.money import DEFAULT_CURRENCY


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
    """The cart as the API shows it, priced at the catalog copy's current prices."""
    items = cart_item_list(cart=cart)
    return {
        "id": cart.id,
        "items": items,
        "total": sum((item.line_total for item in items), Decimal("0.00")),
        "currency": items[0].variant.currency if items else DEFAULT_CURRENCY,
    }
