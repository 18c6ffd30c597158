"""Writes to the catalog copy (from product.* events) and to carts."""

import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction

from cart.catalog import catalog_products_fetch_missing, catalog_variant_choose
from cart.models import MAX_QUANTITY, Cart, CartItem
from cart.selectors import cart_item_list
from ecom_common.money import DEFAULT_CURRENCY
from pricing import services as pricing

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


def cart_item_add(
    *, user_id: str, quantity: int, variant_id: uuid.UUID | None = None, product_id: uuid.UUID | None = None
) -> CartItem:
    """Adds ``quantity`` of the variant (named by its id, or by its product's when the product has
    one variant), to the existing line for it if there is one; a product the catalog copy has
    not heard of yet is read from the catalog first (cart/catalog.py)."""
    _quantity_validate(quantity)
    catalog_products_fetch_missing(product_ids=[variant_id or product_id])
    return _cart_item_add(user_id=user_id, variant_id=variant_id, product_id=product_id, quantity=quantity)


@transaction.atomic
def _cart_item_add(
    *, user_id: str, variant_id: uuid.UUID | None, product_id: uuid.UUID | None, quantity: int
) -> CartItem:
    cart = Cart.objects.select_for_update().get(pk=cart_get_or_create(user_id=user_id).pk)
    field = "variant_id" if variant_id else "product_id"
    try:
        variant = catalog_variant_choose(variant_id=variant_id, product_id=product_id)
    except ValidationError as error:
        raise ValidationError({field: error}) from None
    other_currencies = set(cart.items.exclude(variant=variant).values_list("variant__currency", flat=True))
    if other_currencies - {variant.currency}:
        mismatch = ValidationError("This product's currency differs from the cart's.", code="currency_mismatch")
        raise ValidationError({field: mismatch})
    item = cart.items.filter(variant=variant).first()
    if item is None:
        item = CartItem(cart=cart, variant=variant, quantity=0)
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
    """Empties the cart after its checkout (inside that transaction): the order took its items
    and its voucher's use; where it ships and how stay chosen."""
    cart.items.all().delete()
    cart.voucher_code = ""
    cart.save(update_fields=["voucher_code", "updated_at"])


@transaction.atomic
def cart_pricing_choose(*, user_id: str, data: dict) -> Cart:
    """Sets what the cart is priced with (``voucher_code``, ``country``, ``region``,
    ``shipping_method_id``; each only when given). A voucher that does not apply to the cart, or
    a method that does not deliver to its country, is a ValidationError and nothing changes."""
    cart = Cart.objects.select_for_update().get(pk=cart_get_or_create(user_id=user_id).pk)
    for field, value in data.items():
        setattr(cart, field, value)
    cart.voucher_code = cart.voucher_code.strip().upper()
    cart.country = cart.country.upper()
    items = [(item.variant, item.quantity) for item in cart_item_list(cart=cart) if item.variant.is_available]
    if cart.voucher_code and not items:
        raise ValidationError(
            {"voucher_code": ValidationError("Add something to the cart first.", code="voucher_invalid")}
        )
    pricing.price_lines(
        lines=pricing.price_lines_of(items),
        currency=items[0][0].currency if items else DEFAULT_CURRENCY,
        destination=pricing.Destination(country=cart.country, region=cart.region),
        user_id=user_id,
        voucher_code=cart.voucher_code or None,
        shipping_method_id=cart.shipping_method_id,
    )
    cart.save()
    return cart
