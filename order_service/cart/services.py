"""Writes to the catalog copy (from product.* events) and to carts."""

import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction

from cart.catalog import catalog_products_fetch_missing
from cart.models import MAX_QUANTITY, Cart, CartItem, CatalogProduct

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------
# Carts
# ---------------------------------------------------------------------------
def cart_get_or_create(*, user_id: str) -> Cart:
    """The user's one cart (get_or_create copes with a concurrent first request)."""
    cart, _ = Cart.objects.get_or_create(user_id=user_id)
    return cart


def _quantity_validate(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(
            {"quantity": ValidationError(f"Enter a quantity from 1 to {MAX_QUANTITY}.", code="invalid_quantity")}
        )


def cart_item_add(*, user_id: str, product_id: uuid.UUID, quantity: int) -> CartItem:
    """Adds ``quantity`` of the product, to the existing line for it if there is one; a product
    the catalog copy has not heard of yet is read from the catalog first (cart/catalog.py)."""
    _quantity_validate(quantity)
    catalog_products_fetch_missing(product_ids=[product_id])
    return _cart_item_add(user_id=user_id, product_id=product_id, quantity=quantity)


@transaction.atomic
def _cart_item_add(*, user_id: str, product_id: uuid.UUID, quantity: int) -> CartItem:
    cart = Cart.objects.select_for_update().get(pk=cart_get_or_create(user_id=user_id).pk)
    product = CatalogProduct.objects.filter(product_id=product_id, is_active=True, is_deleted=False).first()
    if product is None:
        raise ValidationError({"product_id": ValidationError("This product is not available.", code="unavailable")})
    other_currencies = set(cart.items.exclude(product=product).values_list("product__currency", flat=True))
    if other_currencies - {product.currency}:
        mismatch = ValidationError("This product's currency differs from the cart's.", code="currency_mismatch")
        raise ValidationError({"product_id": mismatch})
    item = cart.items.filter(product=product).first()
    if item is None:
        item = CartItem(cart=cart, product=product, quantity=0)
    total = item.quantity + quantity
    if total > MAX_QUANTITY:
        raise ValidationError(
            {"quantity": ValidationError(f"A cart line holds at most {MAX_QUANTITY}.", code="invalid_quantity")}
        )
    item.quantity = total
    item.save()
    cart.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def cart_item_update(*, item: CartItem, quantity: int) -> CartItem:
    _quantity_validate(quantity)
    item.quantity = quantity
    item.save(update_fields=["quantity", "updated_at"])
    return item


@transaction.atomic
def cart_item_delete(*, item: CartItem) -> None:
    item.delete()


def cart_clear(*, cart: Cart) -> None:
    """Empties the cart; checkout calls it inside its own transaction."""
    cart.items.all().delete()
    cart.save(update_fields=["updated_at"])
