"""Products with variants: created whole or a variant at a time, each combination of attribute
values once per product, brands/attributes/types managed by staff, and the list's filters and
facets exact."""

import uuid
from decimal import Decimal

import pytest

from catalog.models import Product, ProductVariant
from catalog.services import variant_attributes_key
from catalog.tests.factories import (
    AttributeFactory,
    AttributeValueFactory,
    BrandFactory,
    ProductFactory,
    ProductTypeFactory,
    ProductVariantFactory,
)
from ecom_common.testing.events import published_data

PRODUCTS = "/api/products/"


@pytest.fixture
def shirt_type():
    """A T-shirt type varying by size (S, M, L) and colour (red, blue)."""
    size, color = AttributeFactory(name="Size", slug="size"), AttributeFactory(name="Colour", slug="color")
    for position, value in enumerate(["S", "M", "L"]):
        AttributeValueFactory(attribute=size, value=value, position=position)
    for value in ["Red", "Blue"]:
        AttributeValueFactory(attribute=color, value=value)
    kind = ProductTypeFactory(name="T-shirt", slug="t-shirt")
    kind.variant_attributes.set([size, color])
    return kind


def _shirt(staff_client, *variants, **fields):
    body = {"name": "Tee", "product_type": "t-shirt", "variants": list(variants), **fields}
    return staff_client.post(PRODUCTS, body, format="json")


def test_staff_create_a_product_with_its_variants(staff_client, shirt_type):
    brand = BrandFactory(name="Northwind", slug="northwind")

    response = _shirt(
        staff_client,
        {"sku": "TEE-S-RED", "price": "20.00", "attributes": {"size": "S", "color": "red"}},
        {"sku": "TEE-M-RED", "price": "18.50", "attributes": {"size": "m", "color": "Red"}},
        brand="northwind",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["sku"], body["price"], body["brand"], body["product_type"]) == (
        "TEE-S-RED",
        "18.50",
        "northwind",
        "t-shirt",
    )
    assert [(v["sku"], v["price"], v["attributes"]) for v in body["variants"]] == [
        ("TEE-S-RED", "20.00", {"color": "Red", "size": "S"}),
        ("TEE-M-RED", "18.50", {"color": "Red", "size": "M"}),
    ]
    [created] = published_data("product.created")
    assert [v["variant_id"] for v in created["variants"]] == [v["id"] for v in body["variants"]]
    assert created["brand"] == brand.slug


def test_two_variants_with_the_same_values_are_400_and_nothing_is_stored(staff_client, shirt_type):
    response = _shirt(
        staff_client,
        {"sku": "TEE-1", "price": "20.00", "attributes": {"size": "S", "color": "Red"}},
        {"sku": "TEE-2", "price": "20.00", "attributes": {"color": "red", "size": "s"}},
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "duplicate_attributes",
            "detail": "Another variant of this product has these attribute values.",
            "attr": "attributes",
        }
    ]
    assert (Product.objects.count(), ProductVariant.objects.count()) == (0, 0)
    assert published_data("product.created") == []


@pytest.mark.parametrize(
    ("attributes", "code"),
    [({"size": "XXL"}, "unknown_value"), ({"material": "cotton"}, "attribute_not_in_type")],
)
def test_a_value_the_type_does_not_have_is_400(staff_client, shirt_type, attributes, code):
    AttributeValueFactory(attribute=AttributeFactory(name="Material", slug="material"), value="Cotton")

    response = _shirt(staff_client, {"sku": "TEE-1", "price": "20.00", "attributes": attributes})

    assert response.status_code == 400
    assert [error["code"] for error in response.json()["errors"]] == [code]
    assert not Product.objects.exists()


def test_a_variant_added_later_updates_the_from_price_and_is_announced(staff_client, shirt_type):
    product = _shirt(staff_client, {"sku": "TEE-S", "price": "20.00", "attributes": {"size": "S"}}).json()

    added = staff_client.post(
        f"{PRODUCTS}{product['id']}/variants/",
        {"sku": "TEE-L", "price": "15.00", "attributes": {"size": "L"}},
        format="json",
    )
    again = staff_client.post(
        f"{PRODUCTS}{product['id']}/variants/",
        {"sku": "TEE-L2", "price": "9.00", "attributes": {"size": "L"}},
        format="json",
    )

    assert added.status_code == 201
    assert again.status_code == 400
    assert again.json()["errors"][0]["code"] == "duplicate_attributes"
    assert Product.objects.get(pk=product["id"]).price == Decimal("15.00")
    [updated] = published_data("product.updated")
    assert [v["sku"] for v in updated["variants"]] == ["TEE-S", "TEE-L"]


def test_an_inactive_variant_is_hidden_from_customers_and_the_last_cannot_be_removed(
    api_client, staff_client, shirt_type
):
    product = _shirt(
        staff_client,
        {"sku": "TEE-S", "price": "20.00", "attributes": {"size": "S"}},
        {"sku": "TEE-M", "price": "12.00", "attributes": {"size": "M"}, "is_active": False},
    ).json()
    small, medium = product["variants"]

    public = api_client.get(f"{PRODUCTS}{product['id']}/").json()
    removed = staff_client.delete(f"{PRODUCTS}{product['id']}/variants/{medium['id']}/")
    last = staff_client.delete(f"{PRODUCTS}{product['id']}/variants/{small['id']}/")

    assert ([v["sku"] for v in public["variants"]], public["price"]) == (["TEE-S"], "20.00")
    assert removed.status_code == 204
    assert last.status_code == 409
    assert ProductVariant.objects.filter(product_id=product["id"]).count() == 1


def test_the_old_shape_makes_one_variant_with_the_products_id_and_changes_it(staff_client):
    created = staff_client.post(PRODUCTS, {"sku": "LAMP-1", "name": "Lamp", "price": "10.00"}, format="json")
    product = created.json()

    changed = staff_client.patch(f"{PRODUCTS}{product['id']}/", {"sku": "LAMP-2", "price": "11.00"}, format="json")

    assert [v["id"] for v in product["variants"]] == [product["id"]]
    assert (changed.json()["sku"], changed.json()["price"], changed.json()["variants"][0]["price"]) == (
        "LAMP-2",
        "11.00",
        "11.00",
    )


def test_sku_and_price_of_a_product_with_several_variants_are_400(staff_client, shirt_type):
    product = _shirt(
        staff_client,
        {"sku": "TEE-S", "price": "20.00", "attributes": {"size": "S"}},
        {"sku": "TEE-M", "price": "21.00", "attributes": {"size": "M"}},
    ).json()

    response = staff_client.patch(f"{PRODUCTS}{product['id']}/", {"price": "5.00"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "several_variants"
    assert Product.objects.get(pk=product["id"]).price == Decimal("20.00")


# -- brands, attributes, types ---------------------------------------------------------------------
def test_staff_manage_brands_attributes_and_types(staff_client, api_client):
    brand = staff_client.post("/api/brands/", {"name": "Acme Tools"}, format="json")
    attribute = staff_client.post("/api/attributes/", {"name": "Size", "values": ["S", "M"]}, format="json")
    kind = staff_client.post("/api/product-types/", {"name": "Jacket", "variant_attributes": ["size"]}, format="json")
    customer_write = api_client.post("/api/brands/", {"name": "Nope"}, format="json")

    assert (brand.status_code, brand.json()["slug"]) == (201, "acme-tools")
    assert attribute.json()["values"] == [{"slug": "s", "value": "S"}, {"slug": "m", "value": "M"}]
    assert (kind.status_code, kind.json()["variant_attributes"]) == (201, ["size"])
    assert customer_write.status_code == 401
    assert api_client.get("/api/brands/").json()["results"][0]["name"] == "Acme Tools"


def test_a_value_a_variant_has_cannot_be_removed_and_a_used_brand_cannot_be_deleted(staff_client, shirt_type):
    product = _shirt(
        staff_client,
        {"sku": "TEE-S", "price": "20.00", "attributes": {"size": "S"}},
        brand=BrandFactory(slug="b").slug,
    )

    value_removed = staff_client.patch("/api/attributes/size/", {"values": ["M", "L"]}, format="json")
    brand_deleted = staff_client.delete("/api/brands/b/")

    assert product.status_code == 201
    assert (value_removed.status_code, brand_deleted.status_code) == (409, 409)
    assert (
        value_removed.json()["errors"][0]["detail"]
        == "Variants still have these values: S. Change those variants first."
    )


# -- filters and facets --------------------------------------------------------------------------
@pytest.fixture
def catalog(shirt_type):
    """Three shirts: red S/M by Acme (10 and 30), blue L by Acme (20), red L by Zen (40, inactive variant)."""
    acme, zen = BrandFactory(name="Acme", slug="acme"), BrandFactory(name="Zen", slug="zen")
    values = {v.slug: v for v in shirt_type.variant_attributes.all()[0].values.model.objects.all()}

    def shirt(name, brand, *variants):
        product = ProductFactory(name=name, brand=brand, product_type=shirt_type, variants=False)
        for sku, price, slugs, active in variants:
            chosen = [values[s] for s in slugs]
            variant = ProductVariantFactory(
                product=product,
                sku=sku,
                price=Decimal(price),
                is_active=active,
                attributes_key=variant_attributes_key(chosen),
            )
            variant.attribute_values.set(chosen)
        return product

    return {
        "one": shirt("One", acme, ("ONE-S", "10.00", ["s", "red"], True), ("ONE-M", "30.00", ["m", "red"], True)),
        "two": shirt("Two", acme, ("TWO-L", "20.00", ["l", "blue"], True)),
        "three": shirt(
            "Three", zen, ("THREE-L", "40.00", ["l", "red"], False), ("THREE-S", "5.00", ["s", "blue"], True)
        ),
    }


def names(response) -> list[str]:
    return [product["name"] for product in response.json()["results"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"brand": "acme"}, ["One", "Two"]),
        ({"brand": "acme,zen"}, ["One", "Three", "Two"]),
        ({"attr": "color:red"}, ["One"]),  # Three's red variant is inactive
        ({"attr": ["color:red", "size:m"]}, ["One"]),
        ({"attr": ["color:blue", "size:s"]}, ["Three"]),
        ({"attr": ["color:blue", "size:m"]}, []),  # no one variant is both
        ({"attr": "size:s,l"}, ["One", "Three", "Two"]),
        ({"min_price": "25", "max_price": "35"}, ["One"]),  # a variant within the range
        ({"max_price": "8"}, ["Three"]),
        ({"search": "TWO-L"}, ["Two"]),  # a variant's SKU
    ],
)
def test_list_filters(api_client, catalog, params, expected):
    response = api_client.get(PRODUCTS, params)

    assert response.status_code == 200
    assert names(response) == expected


def test_a_product_is_found_by_one_of_its_variant_ids(api_client, catalog):
    variant = catalog["one"].variants.get(sku="ONE-M")

    found = api_client.get(PRODUCTS, {"variant": str(variant.id)})
    unknown = api_client.get(PRODUCTS, {"variant": str(uuid.uuid4())})

    assert (names(found), names(unknown)) == (["One"], [])


def test_a_malformed_attribute_filter_is_400(api_client, catalog):
    response = api_client.get(PRODUCTS, {"attr": "colour red"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "attr"


def test_facets_count_the_filtered_products_per_brand_and_value(api_client, catalog):
    response = api_client.get(PRODUCTS, {"attr": "size:s,l", "facets": "true"})

    facets = response.json()["facets"]
    assert facets["brands"] == [
        {"slug": "acme", "name": "Acme", "count": 2},
        {"slug": "zen", "name": "Zen", "count": 1},
    ]
    by_attribute = {a["slug"]: {v["slug"]: v["count"] for v in a["values"]} for a in facets["attributes"]}
    # Active variants only: Three's red L is not for sale.
    assert by_attribute == {"color": {"red": 1, "blue": 2}, "size": {"s": 2, "m": 1, "l": 1}}


def test_no_facets_unless_asked(api_client, catalog):
    assert "facets" not in api_client.get(PRODUCTS).json()


def test_errors_on_attribute_keys_empty_or_with_a_line_break_match_the_documented_attr(staff_client):
    """The schema documents a dict key's error as a pattern; a key may hold any text, or none
    (found by the fuzz suite: an empty key, and one with a line break, did not match)."""
    import re

    from drf_spectacular.generators import SchemaGenerator

    variant = {"sku": "LB-1-A", "price": "1.00", "attributes": {"a\nb": False, "": False}}
    body = {"sku": "LB-1", "name": "n", "price": "1.00", "currency": "USD", "variants": [variant]}
    errors = staff_client.post("/api/products/", body, format="json").json()["errors"]
    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    pattern = components["ApiProductsCreateVariantsINDEXAttributesKEYErrorComponent"]["properties"]["attr"]["pattern"]

    attrs = sorted(error["attr"] for error in errors if error["attr"].startswith("variants.0.attributes."))
    assert attrs == ["variants.0.attributes.", "variants.0.attributes.a\nb"]
    assert all(re.fullmatch(pattern, attr) for attr in attrs)
