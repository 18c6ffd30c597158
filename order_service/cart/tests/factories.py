import uuid
from datetime import UTC, datetime
from decimal import Decimal

import factory

from cart.models import Cart, CartItem, CatalogVariant


class CatalogVariantFactory(factory.django.DjangoModelFactory):
    """A product's variant in the catalog copy; by default a product without variants (its one
    variant has the product's id)."""

    class Meta:
        model = CatalogVariant

    variant_id = factory.LazyFunction(uuid.uuid4)
    product_id = factory.LazyAttribute(lambda variant: variant.variant_id)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    price = Decimal("10.00")
    currency = "USD"
    is_active = True
    is_deleted = False
    source_updated_at = factory.LazyFunction(lambda: datetime(2026, 1, 1, tzinfo=UTC))


class CartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cart

    user_id = factory.LazyFunction(uuid.uuid4)


class CartItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CartItem

    cart = factory.SubFactory(CartFactory)
    variant = factory.SubFactory(CatalogVariantFactory)
    quantity = 1
