import uuid
from decimal import Decimal

import pytest

from cart.models import CartItem
from cart.tests.factories import CartFactory, CartItemFactory, CatalogVariantFactory

CART_URL = "/api/cart/"
ITEMS_URL = "/api/cart/items/"


@pytest.fixture
def kettle():
    return CatalogVariantFactory(name="Kettle", price=Decimal("9.50"))


@pytest.fixture
def customer_cart(customer_id):
    return CartFactory(user_id=customer_id)


def unpriced(total: str) -> dict:
    """The breakdown of a cart no promotion, voucher, shipping or tax touches."""
    return {
        "subtotal": total,
        "discount_total": "0.00",
        "shipping_total": "0.00",
        "tax_total": "0.00",
        "total": total,
        "currency": "USD",
        "tax_included": False,
        "discounts": [],
        "shipping_method": None,
        "tax": None,
        "voucher_code": "",
        "country": "",
        "region": "",
        "voucher_error": None,
    }


def test_empty_cart_is_made_on_first_read(customer_client, customer_id):
    response = customer_client.get(CART_URL)

    assert response.status_code == 200
    body = response.json()
    assert body == {"id": body["id"], "items": [], **unpriced("0.00")}


def test_cart_shows_lines_at_current_prices(customer_client, customer_cart, kettle):
    item = CartItemFactory(cart=customer_cart, variant=kettle, quantity=3)

    response = customer_client.get(CART_URL)

    assert response.json() == {
        "id": str(customer_cart.id),
        "items": [
            {
                "id": str(item.id),
                "variant_id": str(kettle.variant_id),
                "product_id": str(kettle.product_id),
                "sku": kettle.sku,
                "name": "Kettle",
                "attributes": {},
                "unit_price": "9.50",
                "quantity": 3,
                "line_total": "28.50",
            }
        ],
        **unpriced("28.50"),
    }


def test_add_item_creates_a_line(customer_client, kettle):
    response = customer_client.post(ITEMS_URL, {"product_id": str(kettle.product_id), "quantity": 2})

    assert response.status_code == 201
    item = CartItem.objects.get()
    assert response.json() == {
        "id": str(item.id),
        "variant_id": str(kettle.variant_id),
        "product_id": str(kettle.product_id),
        "sku": kettle.sku,
        "name": "Kettle",
        "attributes": {},
        "unit_price": "9.50",
        "quantity": 2,
        "line_total": "19.00",
    }


def test_adding_the_same_product_again_adds_to_its_line(customer_client, customer_cart, kettle):
    CartItemFactory(cart=customer_cart, variant=kettle, quantity=2)

    response = customer_client.post(ITEMS_URL, {"product_id": str(kettle.product_id), "quantity": 3})

    assert response.status_code == 201
    assert response.json()["quantity"] == 5
    assert CartItem.objects.count() == 1


@pytest.mark.parametrize("quantity", [0, 101, -1])
def test_quantity_out_of_range_is_400(customer_client, kettle, quantity):
    response = customer_client.post(ITEMS_URL, {"product_id": str(kettle.product_id), "quantity": quantity})

    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["quantity"]


def test_adding_beyond_100_to_a_line_is_400(customer_client, customer_cart, kettle):
    CartItemFactory(cart=customer_cart, variant=kettle, quantity=99)

    response = customer_client.post(ITEMS_URL, {"product_id": str(kettle.product_id), "quantity": 2})

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "quantity"
    assert CartItem.objects.get().quantity == 99


@pytest.mark.parametrize(
    "product_kwargs", [{"is_active": False}, {"is_active": False, "is_deleted": True}], ids=["inactive", "deleted"]
)
def test_unavailable_product_is_400_on_product_id(customer_client, product_kwargs):
    product = CatalogVariantFactory(**product_kwargs)

    response = customer_client.post(ITEMS_URL, {"product_id": str(product.product_id), "quantity": 1})

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "unavailable", "detail": "This product is not available.", "attr": "product_id"}],
    }


def test_unknown_product_is_400_on_product_id(customer_client):
    response = customer_client.post(ITEMS_URL, {"product_id": str(uuid.uuid4()), "quantity": 1})

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "product_id"


def test_product_in_another_currency_is_400(customer_client, customer_cart, kettle):
    CartItemFactory(cart=customer_cart, variant=kettle)
    euro_product = CatalogVariantFactory(currency="EUR")

    response = customer_client.post(ITEMS_URL, {"product_id": str(euro_product.product_id), "quantity": 1})

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "currency_mismatch"


def test_patch_changes_the_quantity(customer_client, customer_cart, kettle):
    item = CartItemFactory(cart=customer_cart, variant=kettle, quantity=1)

    response = customer_client.patch(f"{ITEMS_URL}{item.id}/", {"quantity": 4})

    assert response.status_code == 200
    assert response.json()["quantity"] == 4
    assert response.json()["line_total"] == "38.00"


def test_delete_removes_the_line(customer_client, customer_cart, kettle):
    item = CartItemFactory(cart=customer_cart, variant=kettle)

    response = customer_client.delete(f"{ITEMS_URL}{item.id}/")

    assert response.status_code == 204
    assert not CartItem.objects.exists()


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_another_users_item_is_404(customer_client, method):
    item = CartItemFactory(quantity=1)

    response = getattr(customer_client, method)(f"{ITEMS_URL}{item.id}/", {"quantity": 2})

    assert response.status_code == 404
    assert CartItem.objects.get().quantity == 1


@pytest.mark.parametrize(("method", "url"), [("get", CART_URL), ("post", ITEMS_URL)])
def test_anonymous_is_401(api_client, method, url):
    response = getattr(api_client, method)(url, {})

    assert response.status_code == 401
