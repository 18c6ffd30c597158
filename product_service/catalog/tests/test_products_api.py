from decimal import Decimal

import pytest
from django.db import connection, transaction

from catalog import selectors
from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ProductFactory

PRODUCTS_URL = "/api/products/"


def detail_url(product) -> str:
    return f"{PRODUCTS_URL}{product.id}/"


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["results"]]


def test_detail_has_exactly_the_contract_fields(api_client):
    # given
    laptops = CategoryFactory(name="Laptops", slug="laptops")
    product = ProductFactory(
        sku="LAP-1", name="Aero 13", slug="aero-13", description="Light.", price=Decimal("19.99"), category=laptops
    )

    variant = product.variants.get()

    # when
    response = api_client.get(detail_url(product))

    # then
    assert response.status_code == 200
    assert response.json() == {
        "id": str(product.id),
        "sku": "LAP-1",
        "name": "Aero 13",
        "slug": "aero-13",
        "description": "Light.",
        "price": "19.99",
        "currency": "USD",
        "category": "laptops",
        "is_active": True,
        "brand": None,
        "product_type": None,
        "variants": [
            {
                "id": str(variant.id),
                "sku": "LAP-1",
                "price": "19.99",
                "currency": "USD",
                "attributes": {},
                "is_active": True,
                "position": 0,
            }
        ],
        "images": [],
        "rating": {"average": None, "count": 0},
        "created_at": product.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": product.updated_at.isoformat().replace("+00:00", "Z"),
    }


def test_list_is_paginated_with_the_same_item_shape(api_client):
    # given
    product = ProductFactory(sku="BK-1", name="Dune", slug="dune", price=Decimal("18.99"))

    # when
    response = api_client.get(PRODUCTS_URL)

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["next"] is None
    assert body["previous"] is None
    assert body["results"] == [api_client.get(detail_url(product)).json()]


def test_unknown_product_is_404(api_client):
    response = api_client.get(f"{PRODUCTS_URL}00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404
    assert response.json()["type"] == "client_error"


@pytest.mark.parametrize("client_name", ["api_client", "staff_client"])
@pytest.mark.parametrize("query", ["search=nothing-like-it", "brand=no-such-brand", "min_price=abc"])
def test_a_products_own_url_is_not_filtered_by_the_lists_query_parameters(request, client_name, query):
    # The filters and the ordering are the list's (the schema documents them there only): a query
    # string left on a product's link is no 404 or 400.
    product = ProductFactory(name="Lamp")

    response = request.getfixturevalue(client_name).get(f"{detail_url(product)}?{query}")

    assert response.status_code == 200
    assert response.json()["id"] == str(product.id)


def test_malformed_product_id_is_404(api_client):
    response = api_client.get(f"{PRODUCTS_URL}not-a-uuid/")

    assert response.status_code == 404


# ---------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------
@pytest.fixture
def searchable_products():
    ProductFactory(sku="LAP-AIR-13", name="Aero Ultrabook", description="A light laptop with a bright screen.")
    ProductFactory(sku="KIT-KETTLE", name="Steel Kettle", description="Boils water for tea.")
    ProductFactory(sku="BK-DUNE", name="Dune", description="A desert planet epic.")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ultrabook", ["Aero Ultrabook"]),  # a whole word of the name
        ("Ultrab", ["Aero Ultrabook"]),  # part of a word
        ("kit-kettle", ["Steel Kettle"]),  # the SKU, whatever its case
        ("desert", ["Dune"]),  # a word of the description
        ("planets", ["Dune"]),  # stemmed: the plural finds the singular
        ("laptop OR tea", ["Aero Ultrabook", "Steel Kettle"]),  # web search syntax
        ("nothing-like-this", []),
    ],
)
def test_search_matches_name_sku_and_description(api_client, searchable_products, query, expected):
    response = api_client.get(PRODUCTS_URL, {"search": query})

    assert response.status_code == 200
    assert sorted(names(response)) == expected


def test_search_ranks_a_name_match_above_a_description_match(api_client):
    # given
    ProductFactory(name="Cable Organiser", description="Keeps every phone charger tidy.")
    ProductFactory(name="Phone Charger", description="Fast charging.")

    # when
    response = api_client.get(PRODUCTS_URL, {"search": "charger"})

    # then
    assert names(response) == ["Phone Charger", "Cable Organiser"]


def plan_of_a_large_catalog(queryset) -> str:
    """PostgreSQL's plan for ``queryset`` with sequential scans priced out of reach, i.e. the plan a
    catalog of 100 000 products gets (a test's few rows would be scanned whatever the indexes)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


def test_a_search_finds_its_words_through_the_full_text_index():
    ProductFactory(name="Walnut Desk")

    plan = plan_of_a_large_catalog(selectors.product_search(products=selectors.product_list(), query="walnut"))

    assert "catalog_product_search" in plan
    assert "catalog_variant_sku_prefix" in plan
    assert "Seq Scan" not in plan


@pytest.mark.parametrize("query", ["kit-", "KIT-KET", "kettle", "kett", "steel kett", "boils wat"])
def test_a_search_finds_the_beginning_of_a_sku_or_its_words_as_typed_so_far(api_client, searchable_products, query):
    assert names(api_client.get(PRODUCTS_URL, {"search": query})) == ["Steel Kettle"]


@pytest.mark.parametrize(
    "query", ["' ! & | :* ( )", "&&& |||", "<->", "%", "_", "' OR 1=1 --", "%' AND '1'='1", "tea 1", "x" * 2000]
)
def test_a_search_with_full_text_syntax_in_it_is_an_empty_page_not_an_error(api_client, searchable_products, query):
    ProductFactory(sku="TXT-1", name="Name 1", description="Text 1")  # the digit alone is a word
    response = api_client.get(PRODUCTS_URL, {"search": query})

    assert response.status_code == 200
    assert names(response) == []


def test_the_staff_list_reads_products_in_name_order_from_an_index():
    ProductFactory(name="Walnut Desk")

    plan = plan_of_a_large_catalog(selectors.product_list(include_inactive=True)[:20])

    assert "catalog_product_name_id" in plan
    assert "Sort" not in plan


# ---------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------
def test_category_filter_includes_descendant_categories(api_client):
    # given
    electronics = CategoryFactory(slug="electronics")
    laptops = CategoryFactory(slug="laptops", parent=electronics)
    gaming = CategoryFactory(slug="gaming-laptops", parent=laptops)
    books = CategoryFactory(slug="books")
    ProductFactory(name="Charger", category=electronics)
    ProductFactory(name="Aero", category=laptops)
    ProductFactory(name="Blaze", category=gaming)
    ProductFactory(name="Dune", category=books)
    ProductFactory(name="Uncategorised")

    # when
    everything_electronic = api_client.get(PRODUCTS_URL, {"category": "electronics"})
    only_laptops = api_client.get(PRODUCTS_URL, {"category": "laptops"})

    # then
    assert names(everything_electronic) == ["Aero", "Blaze", "Charger"]
    assert names(only_laptops) == ["Aero", "Blaze"]


def test_unknown_category_filter_finds_nothing(api_client):
    ProductFactory()

    response = api_client.get(PRODUCTS_URL, {"category": "no-such-category"})

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_price_range_filters_are_inclusive(api_client):
    # given
    for name, price in [("Cheap", "5.00"), ("Middle", "20.00"), ("Dear", "99.99")]:
        ProductFactory(name=name, price=Decimal(price))

    # when
    at_least = api_client.get(PRODUCTS_URL, {"min_price": "20"})
    at_most = api_client.get(PRODUCTS_URL, {"max_price": "20.00"})
    between = api_client.get(PRODUCTS_URL, {"min_price": "5.01", "max_price": "99.99"})

    # then
    assert names(at_least) == ["Dear", "Middle"]
    assert names(at_most) == ["Cheap", "Middle"]
    assert names(between) == ["Dear", "Middle"]


@pytest.mark.parametrize("params", [{"min_price": "abc"}, {"max_price": "1e"}, {"min_price": "-1"}])
def test_malformed_price_filter_is_400(api_client, params):
    response = api_client.get(PRODUCTS_URL, params)

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert [error["attr"] for error in body["errors"]] == list(params)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (None, ["Apple", "Banana", "Cherry"]),
        ("name", ["Apple", "Banana", "Cherry"]),
        ("-name", ["Cherry", "Banana", "Apple"]),
        ("price", ["Banana", "Cherry", "Apple"]),
        ("-price", ["Apple", "Cherry", "Banana"]),
        ("created_at", ["Cherry", "Apple", "Banana"]),
        ("-created_at", ["Banana", "Apple", "Cherry"]),
    ],
)
def test_ordering(api_client, ordering, expected):
    # given: created in the order Cherry, Apple, Banana
    ProductFactory(name="Cherry", price=Decimal("20.00"))
    ProductFactory(name="Apple", price=Decimal("30.00"))
    ProductFactory(name="Banana", price=Decimal("10.00"))

    # when
    response = api_client.get(PRODUCTS_URL, {"ordering": ordering} if ordering else {})

    # then
    assert names(response) == expected


# ---------------------------------------------------------------------------
# Pagination
# ---------------------------------------------------------------------------
def test_page_size_and_second_page(api_client):
    # given
    for number in range(5):
        ProductFactory(name=f"Item {number}")

    # when
    first = api_client.get(PRODUCTS_URL, {"page_size": 2})
    second = api_client.get(PRODUCTS_URL, {"page_size": 2, "page": 2})

    # then
    assert first.json()["count"] == 5
    assert names(first) == ["Item 0", "Item 1"]
    assert first.json()["next"] == "http://testserver/api/products/?page=2&page_size=2"
    assert names(second) == ["Item 2", "Item 3"]
    assert second.json()["previous"] == "http://testserver/api/products/?page_size=2"


def test_page_size_over_100_is_clamped_to_100(api_client):
    # given
    ProductFactory.create_batch(101)

    # when
    response = api_client.get(PRODUCTS_URL, {"page_size": 500})

    # then
    assert response.json()["count"] == 101
    assert len(response.json()["results"]) == 100


def test_page_past_the_end_is_404(api_client):
    ProductFactory()

    response = api_client.get(PRODUCTS_URL, {"page": 9})

    assert response.status_code == 404


# ---------------------------------------------------------------------------
# Visibility of inactive products
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("client_fixture", ["api_client", "customer_client"])
def test_inactive_products_are_hidden_from_non_staff(request, client_fixture):
    # given
    client = request.getfixturevalue(client_fixture)
    ProductFactory(name="On sale")
    retired = ProductFactory(name="Retired", is_active=False)

    # when
    listed = client.get(PRODUCTS_URL, {"is_active": "false"})  # the filter is staff-only
    detail = client.get(detail_url(retired))

    # then
    assert names(listed) == ["On sale"]
    assert detail.status_code == 404


def test_staff_see_inactive_products_and_can_filter_them(staff_client):
    # given
    ProductFactory(name="On sale")
    retired = ProductFactory(name="Retired", is_active=False)

    # when
    everything = staff_client.get(PRODUCTS_URL)
    only_inactive = staff_client.get(PRODUCTS_URL, {"is_active": "false"})
    only_active = staff_client.get(PRODUCTS_URL, {"is_active": "true"})
    detail = staff_client.get(detail_url(retired))

    # then
    assert names(everything) == ["On sale", "Retired"]
    assert names(only_inactive) == ["Retired"]
    assert names(only_active) == ["On sale"]
    assert detail.status_code == 200
    assert detail.json()["is_active"] is False


# ---------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------
def write_requests(product) -> dict[str, tuple[str, str, dict]]:
    full = {"sku": "NEW-1", "name": "New", "price": "1.00"}
    return {
        "POST": ("post", PRODUCTS_URL, full),
        "PUT": ("put", detail_url(product), full),
        "PATCH": ("patch", detail_url(product), {"name": "Renamed"}),
        "DELETE": ("delete", detail_url(product), {}),
    }


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    ("client_fixture", "expected_status", "expected_code"),
    [("api_client", 401, "not_authenticated"), ("customer_client", 403, "permission_denied")],
)
def test_only_staff_may_write_products(request, method, client_fixture, expected_status, expected_code):
    # given
    client = request.getfixturevalue(client_fixture)
    product = ProductFactory(name="Original")
    verb, url, body = write_requests(product)[method]

    # when
    response = getattr(client, verb)(url, body)

    # then
    assert response.status_code == expected_status
    assert response.json()["errors"][0]["code"] == expected_code
    assert list(Product.objects.values_list("name", flat=True)) == ["Original"]


@pytest.mark.parametrize(("method", "expected_status"), [("POST", 201), ("PUT", 200), ("PATCH", 200), ("DELETE", 204)])
def test_staff_may_write_products(staff_client, method, expected_status):
    product = ProductFactory(name="Original")
    verb, url, body = write_requests(product)[method]

    response = getattr(staff_client, verb)(url, body)

    assert response.status_code == expected_status


def test_staff_create_product_generates_a_unique_slug(staff_client):
    # given
    CategoryFactory(slug="phones")
    ProductFactory(name="Nova 6", slug="nova-6")

    # when
    response = staff_client.post(
        PRODUCTS_URL,
        {"sku": "PHN-6B", "name": "Nova 6", "price": "799", "currency": "EUR", "category": "phones"},
    )

    # then
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "nova-6-2"
    assert body["price"] == "799.00"
    assert body["currency"] == "EUR"
    assert body["category"] == "phones"
    assert body["description"] == ""
    assert body["is_active"] is True
    product = Product.objects.get(variants__sku="PHN-6B")
    assert product.price == Decimal("799.00")
    assert product.category.slug == "phones"


def test_staff_patch_moves_a_product_out_of_its_category(staff_client):
    product = ProductFactory(category=CategoryFactory(slug="books"))

    response = staff_client.patch(detail_url(product), {"category": None, "price": "12.50"})

    assert response.status_code == 200
    assert response.json()["category"] is None
    assert response.json()["price"] == "12.50"
    product.refresh_from_db()
    assert product.category is None
    assert product.price == Decimal("12.50")


def test_staff_delete_removes_the_product(staff_client):
    product = ProductFactory()

    response = staff_client.delete(detail_url(product))

    assert response.status_code == 204
    assert not Product.objects.filter(id=product.id).exists()


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"price": "-0.01"}, "price", "min_value"),
        ({"price": "abc"}, "price", "invalid"),
        ({"price": "1.999"}, "price", "max_decimal_places"),
        ({"currency": "usd"}, "currency", "invalid_currency"),
        ({"currency": "US"}, "currency", "invalid_currency"),
        ({"sku": "TAKEN-1"}, "sku", "unique"),
        ({"slug": "taken"}, "slug", "unique"),
        ({"category": "no-such-category"}, "category", "does_not_exist"),
        ({"name": ""}, "name", "blank"),
    ],
)
def test_invalid_product_is_400_with_the_field_named(staff_client, body, attr, code):
    # given
    ProductFactory(sku="TAKEN-1", slug="taken")

    # when
    response = staff_client.post(PRODUCTS_URL, {"sku": "NEW-1", "name": "New", "price": "1.00", **body})

    # then
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": code, "detail": response.json()["errors"][0]["detail"], "attr": attr}],
    }
    assert not Product.objects.filter(variants__sku="NEW-1").exists()


def test_missing_required_fields_are_each_reported(staff_client):
    response = staff_client.post(PRODUCTS_URL, {})

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {"code": "required", "detail": "This field is required.", "attr": "sku"},
            {"code": "required", "detail": "This field is required.", "attr": "name"},
            {"code": "required", "detail": "This field is required.", "attr": "price"},
        ],
    }


def test_duplicate_sku_on_update_is_400(staff_client):
    ProductFactory(sku="TAKEN-1")
    product = ProductFactory(sku="MINE-1")

    response = staff_client.patch(detail_url(product), {"sku": "TAKEN-1"})

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "unique", "detail": "A product variant with this SKU already exists.", "attr": "sku"}],
    }


def test_the_schema_documents_every_query_parameter_of_the_product_list(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()

    parameters = {parameter["name"] for parameter in schema["paths"]["/api/products/"]["get"]["parameters"]}

    assert parameters == {
        "search",
        "category",
        "brand",
        "attr",
        "min_price",
        "max_price",
        "variant",
        "is_active",
        "facets",
        "ordering",
        "page",
        "page_size",
    }
