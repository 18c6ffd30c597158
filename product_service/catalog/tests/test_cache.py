import uuid
from decimal import Decimal

import pytest

from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ProductFactory

PRODUCTS_URL = "/api/products/"


@pytest.fixture(autouse=True)
def _cache_enabled(settings):
    settings.CATALOG_CACHE_ENABLED = True


def test_product_detail_is_served_from_the_cache_until_a_write(
    api_client, staff_client, django_capture_on_commit_callbacks
):
    # given: a cached detail
    product = ProductFactory(name="Old name", price=Decimal("10.00"))
    url = f"{PRODUCTS_URL}{product.id}/"
    assert api_client.get(url).json()["name"] == "Old name"

    # when: the row changes behind the service's back
    Product.objects.filter(id=product.id).update(name="Changed behind its back")

    # then: the cached body is still served
    assert api_client.get(url).json()["name"] == "Old name"

    # when: staff write through the API
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.patch(url, {"price": "12.00"}).status_code == 200

    # then: the next read is fresh
    body = api_client.get(url).json()
    assert body["name"] == "Changed behind its back"
    assert body["price"] == "12.00"


def test_product_list_pages_are_served_from_the_cache_until_a_write(
    api_client, staff_client, django_capture_on_commit_callbacks
):
    # given: a cached list page
    product = ProductFactory(name="Old name")
    other = ProductFactory(name="Other")
    params = {"page_size": 10, "ordering": "name"}
    assert [item["name"] for item in api_client.get(PRODUCTS_URL, params).json()["results"]] == ["Old name", "Other"]

    # when
    Product.objects.filter(id=product.id).update(name="Zebra")

    # then: the same query, parameters in another order, hits the same entry
    cached = api_client.get(f"{PRODUCTS_URL}?ordering=name&page_size=10")
    assert [item["name"] for item in cached.json()["results"]] == ["Old name", "Other"]

    # when: a write to another product retires every page
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.patch(f"{PRODUCTS_URL}{other.id}/", {"name": "Another"}).status_code == 200

    # then
    fresh = api_client.get(PRODUCTS_URL, params)
    assert [item["name"] for item in fresh.json()["results"]] == ["Another", "Zebra"]


def test_a_category_write_retires_cached_products(api_client, staff_client, django_capture_on_commit_callbacks):
    # given
    product = ProductFactory(category=CategoryFactory(slug="books"))
    url = f"{PRODUCTS_URL}{product.id}/"
    assert api_client.get(url).json()["category"] == "books"

    # when
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.patch("/api/categories/books/", {"slug": "printed-books"}).status_code == 200

    # then
    assert api_client.get(url).json()["category"] == "printed-books"


def test_staff_bypass_the_cache(api_client, staff_client):
    # given
    product = ProductFactory(name="Old name")
    url = f"{PRODUCTS_URL}{product.id}/"
    api_client.get(url)

    # when
    Product.objects.filter(id=product.id).update(name="New name")

    # then
    assert staff_client.get(url).json()["name"] == "New name"
    assert api_client.get(url).json()["name"] == "Old name"


def test_nothing_is_cached_when_the_cache_is_disabled(api_client, settings):
    # given
    settings.CATALOG_CACHE_ENABLED = False
    product = ProductFactory(name="Old name")
    url = f"{PRODUCTS_URL}{product.id}/"
    api_client.get(url)

    # when
    Product.objects.filter(id=product.id).update(name="New name")

    # then
    assert api_client.get(url).json()["name"] == "New name"


def test_a_missing_product_is_not_cached(api_client, staff_client, django_capture_on_commit_callbacks):
    # given
    product = ProductFactory(is_active=False)
    url = f"{PRODUCTS_URL}{product.id}/"
    assert api_client.get(url).status_code == 404

    # when: activated without a write through the service
    Product.objects.filter(id=product.id).update(is_active=True)

    # then
    assert api_client.get(url).status_code == 200


def test_cache_hits_and_misses_are_counted_on_metrics(api_client, client):
    from ecom_common.testing.metrics import metric_samples

    product = ProductFactory()
    before = metric_samples(client)

    for _ in range(3):
        api_client.get(f"{PRODUCTS_URL}{product.id}/")

    after = metric_samples(client)
    grew = {
        result: after[("ecom_catalog_cache_lookups_total", (("result", result),))]
        - before.get(("ecom_catalog_cache_lookups_total", (("result", result),)), 0)
        for result in ("hit", "miss")
    }
    assert grew == {"hit": 2, "miss": 1}


@pytest.mark.parametrize("cache_enabled", [True, False])
def test_the_public_reads_let_the_gateway_keep_them_for_a_moment_and_staff_views_never(
    api_client, staff_client, settings, cache_enabled
):
    # given: the gateway may keep public reads for 2 s (with or without the Redis cache)
    settings.CATALOG_CACHE_ENABLED = cache_enabled
    settings.CATALOG_GATEWAY_CACHE_SECONDS = 2
    product = ProductFactory()
    detail = f"{PRODUCTS_URL}{product.id}/"

    # when / then: every public read says so, no staff view and no error does
    assert api_client.get(detail)["X-Accel-Expires"] == "2"
    assert api_client.get(PRODUCTS_URL, {"search": product.name})["X-Accel-Expires"] == "2"
    assert "X-Accel-Expires" not in staff_client.get(detail)
    assert "X-Accel-Expires" not in staff_client.get(PRODUCTS_URL)
    assert "X-Accel-Expires" not in api_client.get(f"{PRODUCTS_URL}{uuid.uuid4()}/")


def test_no_public_read_is_kept_by_the_gateway_when_it_is_turned_off(api_client, settings):
    settings.CATALOG_GATEWAY_CACHE_SECONDS = 0
    product = ProductFactory()

    assert "X-Accel-Expires" not in api_client.get(f"{PRODUCTS_URL}{product.id}/")
    assert "X-Accel-Expires" not in api_client.get(PRODUCTS_URL)
