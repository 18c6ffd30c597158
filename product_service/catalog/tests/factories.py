import itertools
from decimal import Decimal

import factory

from catalog.models import Attribute, AttributeValue, Brand, Category, Product, ProductType, ProductVariant


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description = ""
    parent = None


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class AttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attribute
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Attribute {n}")
    slug = factory.Sequence(lambda n: f"attribute-{n}")


class AttributeValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttributeValue
        django_get_or_create = ["attribute", "slug"]

    attribute = factory.SubFactory(AttributeFactory)
    value = factory.Sequence(lambda n: f"Value {n}")
    slug = factory.LazyAttribute(lambda value: value.value.lower().replace(" ", "-"))


class ProductTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductType

    name = factory.Sequence(lambda n: f"Type {n}")
    slug = factory.Sequence(lambda n: f"type-{n}")


_skus = itertools.count(1)


class ProductFactory(factory.django.DjangoModelFactory):
    """A product with one variant (``sku=``, or a fresh SKU; the product's price), as before
    variants existed; ``variants=False`` for a product whose variants the test makes itself."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = ""
    price = Decimal("10.00")
    currency = "USD"
    category = None
    is_active = True

    @factory.post_generation
    def sku(self, create, extracted, **kwargs):
        self._factory_sku = extracted or f"SKU-{next(_skus):05d}"

    @factory.post_generation
    def variants(self, create, extracted, **kwargs):
        if create and extracted is not False:
            ProductVariant.objects.create(product=self, sku=self._factory_sku, price=self.price)


class ProductVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory, variants=False)
    sku = factory.Sequence(lambda n: f"VAR-{n:05d}")
    price = Decimal("10.00")
