"""POST /api/orders/: checkout from items or from the cart, idempotent per key."""

import uuid
from decimal import Decimal

import pytest
import requests
from django.utils import timezone

from cart.models import CartItem, CatalogVariant
from cart.tests.factories import CartFactory, CartItemFactory, CatalogVariantFactory
from ecom_common.models import OutboxEvent
from ecom_common.testing.events import published, published_data
from orders.models import CheckoutSaga, Order, OrderStatus, SagaState
from orders.services import order_transition
from orders.tests.factories import ADDRESS

ORDERS_URL = "/api/orders/"
ADDRESS_IN = {k: v for k, v in ADDRESS.items() if k not in ("line2", "region")} | {"country": "gb"}


@pytest.fixture
def kettle():
    return CatalogVariantFactory(name="Kettle", price=Decimal("9.50"))


@pytest.fixture
def mug():
    return CatalogVariantFactory(name="Mug", price=Decimal("4.25"))


def checkout(client, body: dict, key: str | None = None):
    return client.post(ORDERS_URL, body, headers={"Idempotency-Key": key or str(uuid.uuid4())})


def body_for(*products_and_quantities) -> dict:
    return body_for_ids(*((product.product_id, quantity) for product, quantity in products_and_quantities))


def body_for_ids(*ids_and_quantities) -> dict:
    return {
        "items": [
            {"product_id": str(product_id), "quantity": quantity} for product_id, quantity in ids_and_quantities
        ],
        "shipping_address": ADDRESS_IN,
        "payment_token": "tok_visa",
    }


def test_checkout_places_a_pending_order_and_announces_it(customer_client, customer_id, kettle, mug, settings):
    # given
    settings.ORDER_PAYMENT_TIMEOUT_SECONDS = 60

    # when
    response = customer_client.post(
        ORDERS_URL,
        body_for((kettle, 2), (mug, 1)),
        headers={"Idempotency-Key": str(uuid.uuid4()), "X-Request-ID": "checkout-42"},
    )

    # then
    assert response.status_code == 201
    order = Order.objects.get()
    kettle_line, mug_line = order.lines.all()
    body = response.json()
    assert body == {
        "id": str(order.id),
        "status": "pending",
        "items": [
            {
                "id": str(kettle_line.public_id),
                "variant_id": str(kettle.variant_id),
                "product_id": str(kettle.product_id),
                "sku": kettle.sku,
                "name": "Kettle",
                "unit_price": "9.50",
                "quantity": 2,
                "line_total": "19.00",
                "discount_total": "0.00",
                "tax_total": "0.00",
                "paid_total": "19.00",
            },
            {
                "id": str(mug_line.public_id),
                "variant_id": str(mug.variant_id),
                "product_id": str(mug.product_id),
                "sku": mug.sku,
                "name": "Mug",
                "unit_price": "4.25",
                "quantity": 1,
                "line_total": "4.25",
                "discount_total": "0.00",
                "tax_total": "0.00",
                "paid_total": "4.25",
            },
        ],
        "subtotal": "23.25",
        "discount_total": "0.00",
        "shipping_total": "0.00",
        "tax_total": "0.00",
        "total": "23.25",
        "currency": "USD",
        "tax_included": False,
        "discounts": [],
        "voucher_code": "",
        "shipping_method": None,
        "tax": None,
        "shipping_address": ADDRESS,
        "cancel_reason": None,
        "status_history": [{"status": "pending", "at": body["status_history"][0]["at"], "reason": None}],
        "shipment": None,
        "delivered_at": None,
        "stock_committed_at": None,
        "refunded_total": "0.00",
        "refund_status": "none",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert published_data("order.created") == [
        {
            "order_id": str(order.id),
            "user_id": customer_id,
            "items": [
                {
                    "variant_id": str(kettle.variant_id),
                    "product_id": str(kettle.product_id),
                    "sku": kettle.sku,
                    "quantity": 2,
                    "unit_price": "9.50",
                },
                {
                    "variant_id": str(mug.variant_id),
                    "product_id": str(mug.product_id),
                    "sku": mug.sku,
                    "quantity": 1,
                    "unit_price": "4.25",
                },
            ],
            "subtotal": "23.25",
            "discount_total": "0.00",
            "shipping_total": "0.00",
            "tax_total": "0.00",
            "total": "23.25",
            "currency": "USD",
            "tax_included": False,
            "discounts": [],
            "shipping_method": None,
            "tax": None,
        }
    ]
    saga = CheckoutSaga.objects.get(order=order)
    # The token waits in the saga for inventory's answer; no broadcast event carries it.
    assert (saga.state, saga.correlation_id, saga.payment_token) == (
        SagaState.AWAITING_STOCK,
        "checkout-42",
        "tok_visa",
    )
    assert (saga.deadline - order.created_at).total_seconds() == 60
    assert published("order.created")[0]["correlation_id"] == "checkout-42"


def test_checkout_snapshots_the_price(customer_client, kettle):
    response = checkout(customer_client, body_for((kettle, 1)))

    kettle.price = Decimal("99.00")
    kettle.save()

    order_url = f"{ORDERS_URL}{response.json()['id']}/"
    assert customer_client.get(order_url).json()["items"][0]["unit_price"] == "9.50"


def test_checkout_of_the_cart_empties_it(customer_client, customer_id, kettle, mug):
    # given
    cart = CartFactory(user_id=customer_id)
    CartItemFactory(cart=cart, variant=kettle, quantity=3)
    CartItemFactory(cart=cart, variant=mug, quantity=1)

    # when
    response = checkout(customer_client, {"shipping_address": ADDRESS_IN, "payment_token": "tok_visa"})

    # then
    assert response.status_code == 201
    assert [(item["name"], item["quantity"]) for item in response.json()["items"]] == [("Kettle", 3), ("Mug", 1)]
    assert response.json()["total"] == "32.75"
    assert not CartItem.objects.exists()


def test_checkout_of_an_empty_cart_is_400(customer_client):
    response = checkout(customer_client, {"shipping_address": ADDRESS_IN, "payment_token": "tok_visa"})

    assert response.status_code == 400
    assert response.json()["errors"] == [{"code": "cart_empty", "detail": "Your cart is empty.", "attr": "items"}]
    assert not Order.objects.exists()


def test_same_key_and_body_returns_the_same_order(customer_client, kettle):
    key = str(uuid.uuid4())
    first = checkout(customer_client, body_for((kettle, 1)), key)

    again = checkout(customer_client, body_for((kettle, 1)), key)

    assert again.status_code == 201
    assert again.json() == first.json()
    assert Order.objects.count() == 1
    assert OutboxEvent.objects.filter(type="order.created").count() == 1


def test_a_retry_after_the_order_moved_on_gets_the_first_answer_as_it_was(customer_client, kettle):
    key = str(uuid.uuid4())
    first = checkout(customer_client, body_for((kettle, 1)), key)
    order_transition(order_id=first.json()["id"], status=OrderStatus.CONFIRMED)  # the saga went on

    again = checkout(customer_client, body_for((kettle, 1)), key)

    assert (again.status_code, again.json()) == (201, first.json())
    assert again.json()["status"] == "pending"
    assert customer_client.get(f"{ORDERS_URL}{first.json()['id']}/").json()["status"] == "confirmed"


def test_same_key_replays_a_cart_checkout_after_the_cart_was_emptied(customer_client, customer_id, kettle):
    CartItemFactory(cart=CartFactory(user_id=customer_id), variant=kettle, quantity=2)
    key = str(uuid.uuid4())
    body = {"shipping_address": ADDRESS_IN, "payment_token": "tok_visa"}
    first = checkout(customer_client, body, key)

    again = checkout(customer_client, body, key)

    assert again.status_code == 201
    assert again.json() == first.json()
    assert Order.objects.count() == 1


def test_same_key_with_another_body_is_409(customer_client, kettle):
    key = str(uuid.uuid4())
    checkout(customer_client, body_for((kettle, 1)), key)

    response = checkout(customer_client, body_for((kettle, 2)), key)

    assert response.status_code == 409
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "idempotency_key_reused",
                "detail": "This Idempotency-Key was already used for a different request.",
                "attr": None,
            }
        ],
    }
    assert Order.objects.count() == 1


def test_same_key_from_another_user_is_another_order(customer_client, access_token_for, api_client, kettle):
    key = str(uuid.uuid4())
    checkout(customer_client, body_for((kettle, 1)), key)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for()}")

    response = checkout(api_client, body_for((kettle, 1)), key)

    assert response.status_code == 201
    assert Order.objects.count() == 2


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "not-a-uuid"}], ids=["missing", "invalid"])
def test_missing_or_invalid_idempotency_key_is_400(customer_client, kettle, headers):
    response = customer_client.post(ORDERS_URL, body_for((kettle, 1)), headers=headers)

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert [error["attr"] for error in response.json()["errors"]] == ["Idempotency-Key"]
    assert not Order.objects.exists()


def test_unknown_product_is_400_on_its_item(customer_client, kettle):
    body = body_for((kettle, 1))
    body["items"].append({"product_id": str(uuid.uuid4()), "quantity": 1})

    response = checkout(customer_client, body)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "unavailable", "detail": "This product is not available.", "attr": "items.1.product_id"}
    ]
    assert not Order.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_inactive_product_is_400_on_its_item(customer_client):
    product = CatalogVariantFactory(is_active=False)

    response = checkout(customer_client, body_for((product, 1)))

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "items.0.product_id"


def test_items_in_two_currencies_are_400(customer_client, kettle):
    euro_product = CatalogVariantFactory(currency="EUR")

    response = checkout(customer_client, body_for((kettle, 1), (euro_product, 1)))

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "currency_mismatch"


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"items": []}, "items"),
        ({"payment_token": ""}, "payment_token"),
        # What payment could not store is refused here, not dead-lettered downstream.
        ({"payment_token": "tok_" + "x" * 150}, "payment_token"),
        ({"shipping_address": {**ADDRESS_IN, "country": "GBR"}}, "shipping_address.country"),
    ],
)
def test_bad_input_is_400(customer_client, kettle, change, attr):
    response = checkout(customer_client, body_for((kettle, 1)) | change)

    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == [attr]


def test_anonymous_checkout_is_401(api_client, kettle):
    response = checkout(api_client, body_for((kettle, 1)))

    assert response.status_code == 401


def test_saga_deadline_follows_the_setting(customer_client, kettle):
    before = timezone.now()

    checkout(customer_client, body_for((kettle, 1)))

    assert 119 <= (CheckoutSaga.objects.get().deadline - before).total_seconds() <= 121


def test_a_total_payment_could_not_store_is_refused_at_checkout(customer_client):
    # Payment keeps amounts of 12 digits (ecom_common.money): 11 x 999999999.99 has 13.
    costly = CatalogVariantFactory(price=Decimal("999999999.99"))

    response = checkout(customer_client, body_for((costly, 11)))

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "total_too_large", "detail": "An order's total cannot exceed 9999999999.99.", "attr": "items"}
    ]
    assert Order.objects.count() == 0
    assert published() == []


def test_a_product_the_catalog_copy_has_not_heard_of_yet_is_read_from_the_catalog_once(
    customer_client, catalog_service, settings
):
    # given: a product the catalog has, whose product.created has not reached this service
    settings.CATALOG_SERVICE_URL = catalog_service
    product = requests.get(f"{catalog_service}/api/products/", params={"page_size": 1}, timeout=10).json()["results"][
        0
    ]
    assert not CatalogVariant.objects.filter(product_id=product["id"]).exists()

    # when
    response = checkout(customer_client, body_for_ids((product["id"], 2)))

    # then: bought at the catalog's price, and the copy knows it from now on
    assert response.status_code == 201, response.json()
    assert (response.json()["items"][0]["unit_price"], response.json()["total"]) == (
        product["price"],
        str(Decimal(product["price"]) * 2),
    )
    copy = CatalogVariant.objects.get(product_id=product["id"])
    assert (copy.sku, copy.name, str(copy.price)) == (product["sku"], product["name"], product["price"])


def test_a_variant_the_catalog_copy_has_not_heard_of_yet_is_read_from_the_catalog(
    customer_client, catalog_service, settings
):
    # given: the demo T-shirt (12 variants), unknown to the copy; the customer names one variant
    settings.CATALOG_SERVICE_URL = catalog_service
    [tee] = requests.get(f"{catalog_service}/api/products/", params={"search": "t-shirt"}, timeout=10).json()[
        "results"
    ]
    tee = requests.get(f"{catalog_service}/api/products/{tee['id']}/", timeout=10).json()
    variant = tee["variants"][3]

    # when
    response = checkout(
        customer_client, {**body_for_ids((tee["id"], 1)), "items": [{"variant_id": variant["id"], "quantity": 1}]}
    )

    # then: that variant, at its price; the copy now holds every variant of the product
    assert response.status_code == 201, response.json()
    [line] = response.json()["items"]
    assert (line["variant_id"], line["sku"], line["unit_price"]) == (variant["id"], variant["sku"], variant["price"])
    assert CatalogVariant.objects.filter(product_id=tee["id"]).count() == len(tee["variants"])


def test_a_product_the_catalog_does_not_have_either_is_unavailable(customer_client, catalog_service, settings):
    settings.CATALOG_SERVICE_URL = catalog_service

    response = checkout(customer_client, body_for_ids((str(uuid.uuid4()), 1)))

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unavailable"
    assert Order.objects.count() == 0


def test_a_checkout_of_many_made_up_ids_asks_the_catalog_a_few_times_and_then_not_at_all(
    customer_client, catalog_process, settings
):
    """100 unknown ids were 200 synchronous catalog calls in one request, every time."""
    settings.CATALOG_SERVICE_URL, log_path = catalog_process
    made_up = [str(uuid.uuid4()) for _ in range(100)]
    body = {**body_for_ids((made_up[0], 1)), "items": [{"product_id": some_id, "quantity": 1} for some_id in made_up]}

    def ids_asked() -> set[str]:
        """The made-up ids the catalog was asked for (its log's 404 of each product's detail)."""
        lines = log_path.read_text().splitlines()
        return {some_id for some_id in made_up if any(f"Not Found: /api/products/{some_id}/" in x for x in lines)}

    first = checkout(customer_client, body)
    asked_first = ids_asked()
    again = checkout(customer_client, body, key=str(uuid.uuid4()))
    asked_again = ids_asked() - asked_first

    assert (first.status_code, again.status_code) == (400, 400)
    assert {error["code"] for error in first.json()["errors"]} == {"unavailable"}
    assert asked_first == set(made_up[: settings.CATALOG_FETCHES_PER_REQUEST])
    assert asked_again == set(made_up[settings.CATALOG_FETCHES_PER_REQUEST : 2 * settings.CATALOG_FETCHES_PER_REQUEST])
    log = log_path.read_text()
    asked_times = {log.count(f'"message": "Not Found: /api/products/{some_id}/"') for some_id in asked_first}
    assert asked_times == {1}  # not asked again
    assert Order.objects.count() == 0


# -- variants ------------------------------------------------------------------------------------
@pytest.fixture
def tee():
    """A T-shirt in S and M: two variants of one product."""
    product_id = uuid.uuid4()
    small = CatalogVariantFactory(
        product_id=product_id, name="Tee", sku="TEE-S", attributes={"size": "S"}, price=Decimal("20.00")
    )
    medium = CatalogVariantFactory(
        product_id=product_id, name="Tee", sku="TEE-M", attributes={"size": "M"}, price=Decimal("22.00")
    )
    return product_id, small, medium


def test_a_variant_is_ordered_by_its_id_with_its_sku_and_values(customer_client, tee):
    _, _, medium = tee
    body = {**body_for(), "items": [{"variant_id": str(medium.variant_id), "quantity": 2}]}

    response = checkout(customer_client, body)

    assert response.status_code == 201, response.json()
    [line] = response.json()["items"]
    assert (line["variant_id"], line["sku"], line["name"], line["line_total"]) == (
        str(medium.variant_id),
        "TEE-M",
        "Tee (M)",
        "44.00",
    )
    [created] = published_data("order.created")
    assert created["items"][0]["variant_id"] == str(medium.variant_id)


def test_a_product_with_several_variants_named_by_its_id_is_400_variant_required(customer_client, tee):
    product_id, _, _ = tee

    response = checkout(customer_client, body_for_ids((product_id, 1)))

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "variant_required",
            "detail": "This product comes in several variants: name the one you want with variant_id.",
            "attr": "items.0.product_id",
        }
    ]
    assert not Order.objects.exists()


def test_an_item_naming_both_or_neither_is_400(customer_client, tee):
    product_id, small, _ = tee
    body = {
        **body_for(),
        "items": [{"variant_id": str(small.variant_id), "product_id": str(product_id), "quantity": 1}],
    }

    response = checkout(customer_client, body)

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "items.0.variant_id"
