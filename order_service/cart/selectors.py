"""Reads of the catalog copy and of carts."""

import uuid
from decimal import Decimal

from django.db.models import QuerySet

from cart.models import Cart, CartItem, CatalogProduct
from ecom_common.money import DEFAULT_CURRENCY


def catalog_product_available_map(*, product_ids: list[uuid.UUID]) -> dict[uuid.UUID, CatalogProduct]:
    """The products among ``product_ids`` that can be bought now (active, not deleted), by id."""
    products = CatalogProduct.objects.filter(product_id__in=product_ids, is_active=True, is_deleted=False)
    return {product.product_id: product for product in products}


def cart_item_list(*, cart: Cart) -> list[CartItem]:
    return list(cart.items.select_related("product").order_by("created_at", "id"))


def cart_item_queryset(*, user_id: str) -> QuerySet[CartItem]:
    """The caller's cart lines: anyone else's are simply not found."""
    return CartItem.objects.filter(cart__user_id=user_id).select_related("product")


def cart_summary(*, cart: Cart) -> dict:
    """The cart as the API shows it, priced at the catalog copy's current prices."""
    items = cart_item_list(cart=cart)
    return {
        "id": cart.id,
        "items": items,
        "total": sum((item.line_total for item in items), Decimal("0.00")),
        "currency": items[0].product.currency if items else DEFAULT_CURRENCY,
    }
