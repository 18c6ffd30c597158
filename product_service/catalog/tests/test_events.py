"""Product writes announce themselves as product.* events, written to the outbox with the change."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.services import product_create, product_delete, product_update
from catalog.tests.factories import ProductFactory
from ecom_common.testing.events import published, published_data

pytestmark = pytest.mark.django_db


def test_creating_a_product_publishes_product_created():
    product = product_create(sku="EVT-1", name="Event lamp", price=Decimal("12.50"))

    assert published_data("product.created") == [
        {
            "product_id": str(product.id),
            "sku": "EVT-1",
            "name": "Event lamp",
            "price": "12.50",
            "currency": "USD",
            "is_active": True,
            "brand": None,
            "category": None,
            "category_path": [],
            "updated_at": product.updated_at.isoformat(),
            # The old shape: one default variant, with the product's id.
            "variants": [
                {
                    "variant_id": str(product.id),
                    "sku": "EVT-1",
                    "price": "12.50",
                    "currency": "USD",
                    "is_active": True,
                    "attributes": {},
                }
            ],
        }
    ]
    assert published("product.created")[0]["source"] == "product_service"


def test_updating_a_product_publishes_product_updated_with_the_new_values():
    product = ProductFactory(price=Decimal("5.00"))

    product_update(product=product, data={"price": Decimal("7.00"), "is_active": False})

    [data] = published_data("product.updated")
    assert (data["product_id"], data["price"], data["is_active"]) == (str(product.id), "7.00", False)


def test_deleting_a_product_publishes_product_deleted():
    product = ProductFactory(sku="GONE-1")
    product_id, variant = str(product.id), product.variants.get()

    product_delete(product=product)

    assert published_data("product.deleted") == [
        {"product_id": product_id, "sku": "GONE-1", "variant_ids": [str(variant.id)]}
    ]


def test_a_product_saved_in_the_admin_is_announced(admin_client):
    response = admin_client.post(
        "/admin/products/catalog/product/add/",
        {
            "name": "Admin lamp",
            "slug": "admin-lamp",
            "currency": "USD",
            "is_active": "on",
            "description": "",
            "variants-TOTAL_FORMS": "1",
            "variants-INITIAL_FORMS": "0",
            "variants-0-sku": "ADM-1",
            "variants-0-price": "3.00",
            "variants-0-is_active": "on",
            "variants-0-position": "0",
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert [data["sku"] for data in published_data("product.created")] == ["ADM-1"]


def test_a_failed_write_publishes_nothing():
    ProductFactory(sku="DUP-1")

    with pytest.raises(ValidationError):
        product_create(sku="DUP-1", name="Duplicate", price=Decimal("1.00"))

    assert published_data("product.created") == []


def test_a_product_event_names_its_category_with_every_ancestor():
    from catalog.tests.factories import CategoryFactory

    clothing = CategoryFactory(slug="clothing")
    hoodies = CategoryFactory(slug="hoodies", parent=clothing)

    product_create(sku="EVT-HOOD", name="Hoodie", price=Decimal("40.00"), category=hoodies)

    [event] = published_data("product.created")
    assert (event["category"], event["category_path"]) == ("hoodies", ["hoodies", "clothing"])


# ---------------------------------------------------------------------------
# A category moved or re-slugged, a brand re-slugged: every product under it is announced, so
# the promotions and vouchers order_service scopes by category or brand price it right
# ---------------------------------------------------------------------------
def _announced() -> dict:
    return {data["product_id"]: (data["brand"], data["category_path"]) for data in published_data("product.updated")}


def test_moving_a_category_announces_every_product_under_it_with_its_new_path():
    from catalog.services import category_update
    from catalog.tests.factories import CategoryFactory

    clothing, tops = CategoryFactory(slug="clothing"), CategoryFactory(slug="tops")
    hoodies = CategoryFactory(slug="hoodies", parent=tops)
    in_tops, in_hoodies = ProductFactory(category=tops), ProductFactory(category=hoodies)
    elsewhere = ProductFactory(category=clothing)

    category_update(category=tops, data={"parent": clothing})

    assert _announced() == {
        str(in_tops.id): (None, ["tops", "clothing"]),
        str(in_hoodies.id): (None, ["hoodies", "tops", "clothing"]),
    }
    assert str(elsewhere.id) not in _announced()


def test_renaming_a_category_without_a_new_slug_announces_nothing():
    from catalog.services import category_update
    from catalog.tests.factories import CategoryFactory

    tops = CategoryFactory(slug="tops")
    ProductFactory(category=tops)

    category_update(category=tops, data={"name": "Tops and tees"})

    assert published_data("product.updated") == []


def test_a_category_moved_in_the_admin_announces_its_products(admin_client):
    from catalog.tests.factories import CategoryFactory

    clothing, tops = CategoryFactory(slug="clothing"), CategoryFactory(slug="tops")
    shirt = ProductFactory(category=tops)

    response = admin_client.post(
        f"/admin/products/catalog/category/{tops.pk}/change/",
        {"name": tops.name, "slug": "tops", "parent": str(clothing.pk), "description": ""},
    )

    assert response.status_code == 302
    assert _announced() == {str(shirt.id): (None, ["tops", "clothing"])}


def test_a_brand_re_slugged_announces_its_products_by_the_new_slug(admin_client):
    from catalog.taxonomy import brand_update
    from catalog.tests.factories import BrandFactory

    acme, other = BrandFactory(slug="acme"), BrandFactory(slug="other")
    kettle, toaster = ProductFactory(brand=acme), ProductFactory(brand=other)

    brand_update(brand=acme, data={"slug": "acme-home"})
    admin_client.post(
        f"/admin/products/catalog/brand/{other.pk}/change/",
        {"name": other.name, "slug": "other-home", "description": ""},
    )

    assert _announced() == {str(kettle.id): ("acme-home", []), str(toaster.id): ("other-home", [])}


def test_announcing_a_category_reads_its_products_in_batches_not_one_by_one():
    """The variants and their attribute values are read once per batch: a category of 40
    products costs the same reads as one of 5 (each product then costs its outbox row only)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from catalog.services import category_products_announce
    from catalog.tests.factories import CategoryFactory

    reads = []
    for size in (5, 40):
        category = CategoryFactory(slug=f"size-{size}")
        for _ in range(size):
            ProductFactory(category=category)
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            category_products_announce(category=category)
        reads.append(sum(query["sql"].startswith("SELECT") for query in queries))

    assert reads[0] == reads[1]
    assert len(published_data("product.updated")) == 45
