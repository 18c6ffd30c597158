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
