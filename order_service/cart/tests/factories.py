import uuid
from datetime import UTC, datetime
from decimal import Decimal

import factory

from cart.models import Cart, CartItem, CatalogProduct


class CatalogProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogProduct

    product_id = factory.LazyFunction(uuid.uuid4)
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
    product = factory.SubFactory(CatalogProductFactory)
    quantity = 1
