from decimal import Decimal

import pytest
from django.core.cache import cache as django_cache
from django.core.exceptions import ValidationError

from catalog import cache, services
from catalog.models import Category, Product
from catalog.tests.factories import CategoryFactory, ProductFactory
from ecom_common.errors import ConflictError


def test_product_create_suffixes_the_slug_until_unique():
    ProductFactory(name="Kettle", slug="kettle")
    ProductFactory(name="Kettle", slug="kettle-2")

    product = services.product_create(sku="K-3", name="Kettle", price=Decimal("9.00"))

    assert product.slug == "kettle-3"


def test_product_create_keeps_a_given_slug():
    product = services.product_create(sku="K-1", name="Kettle", slug="steel-kettle", price=Decimal("9.00"))

    assert product.slug == "steel-kettle"


def test_product_create_rejects_a_negative_price():
    with pytest.raises(ValidationError) as error:
        services.product_create(sku="K-1", name="Kettle", price=Decimal("-1.00"))

    assert list(error.value.message_dict) == ["price"]
    assert not Product.objects.exists()


def test_product_update_regenerates_a_blank_slug_from_the_name():
    product = ProductFactory(name="Old", slug="old")

    services.product_update(product=product, data={"name": "Fresh Name", "slug": ""})

    product.refresh_from_db()
    assert product.slug == "fresh-name"


def test_category_update_rejects_a_cycle():
    top = CategoryFactory(slug="top")
    bottom = CategoryFactory(slug="bottom", parent=top)

    with pytest.raises(ValidationError) as error:
        services.category_update(category=top, data={"parent": bottom})

    assert error.value.message_dict == {"parent": ["A category cannot be its own ancestor."]}
    top.refresh_from_db()
    assert top.parent is None


def test_category_delete_of_a_category_in_use_is_a_conflict():
    category = CategoryFactory()
    ProductFactory(category=category)

    with pytest.raises(ConflictError):
        services.category_delete(category=category)

    assert Category.objects.filter(id=category.id).exists()


def test_every_write_bumps_the_cache_generation_after_commit(django_capture_on_commit_callbacks):
    before = cache.catalog_generation()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.product_create(sku="K-1", name="Kettle", price=Decimal("9.00"))
    assert cache.catalog_generation() == before  # nothing yet: the transaction is still open
    for callback in callbacks:
        callback()

    assert cache.catalog_generation() == before + 1


def test_a_lost_generation_counter_is_recreated_on_bump():
    django_cache.delete(cache.GENERATION_KEY)

    cache._generation_bump()

    assert django_cache.get(cache.GENERATION_KEY) is not None


def test_concurrent_staff_edits_of_one_product_keep_both_changes():
    # given: two members of staff read the same product; one saves a new price
    product = ProductFactory(name="Lamp", price=Decimal("10.00"))
    first_view, second_view = Product.objects.get(pk=product.pk), Product.objects.get(pk=product.pk)
    services.product_update(product=first_view, data={"price": Decimal("12.00")})

    # when: the other saves a new name from the copy they read before
    services.product_update(product=second_view, data={"name": "Desk lamp"})

    # then: neither change is lost
    product.refresh_from_db()
    assert (product.name, product.price) == ("Desk lamp", Decimal("12.00"))
