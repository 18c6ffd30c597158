"""Writes to the catalog copy (from product.* events) and to carts."""

import logging
import uuid
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from cart.models import MAX_QUANTITY, Cart, CartItem, CatalogProduct

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------
# Catalog copy: events may arrive late and out of order; the newest updated_at wins
# ---------------------------------------------------------------------------
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


@transaction.atomic
def cart_item_add(*, user_id: str, product_id: uuid.UUID, quantity: int) -> CartItem:
    """Adds ``quantity`` of the product, to the existing line for it if there is one."""
    _quantity_validate(quantity)
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
