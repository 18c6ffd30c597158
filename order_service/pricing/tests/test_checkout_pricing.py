"""Pricing in the cart and at checkout against PostgreSQL: what the cart shows is what the order
costs, voucher uses are taken once and given back on cancel, staff set the rules up."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cart.tests.factories import CartFactory, CartItemFactory, CatalogVariantFactory
from ecom_common.testing.concurrency import race
from ecom_common.testing.events import published_data
from orders.models import Order, OrderStatus
from orders.services import order_cancel, order_cancel_if_pending, order_place, order_transition, saga_stock_reserved
from pricing.models import Promotion, ShippingMethod, TaxRate, Voucher, VoucherUse

pytestmark = pytest.mark.django_db

D = Decimal
CALIFORNIA = {
    "full_name": "Grace Hopper",
    "line1": "1 Infinite Loop",
    "city": "Cupertino",
    "region": "CA",
    "postal_code": "95014",
    "country": "US",
}


@pytest.fixture
def shop():
    """A hoodie (clothing, 40.00) and a book (12.50); 10% off clothing; a 5.00 voucher; standard
    (free) and express (9.90) shipping to the US; 7.25% Californian sales tax, not on shipping."""
    hoodie = CatalogVariantFactory(name="Hoodie", price=D("40.00"), category_slugs=["hoodies", "clothing"])
    book = CatalogVariantFactory(name="Book", price=D("12.50"), category_slugs=["books"])
    Promotion.objects.create(name="Winter sale", kind="percentage", value=D("10"), category_slugs=["clothing"])
    voucher = Voucher.objects.create(code="FIVE", name="5 off", kind="fixed", value=D("5.00"))
    ShippingMethod.objects.create(name="Standard", price=D("0.00"), min_days=3, max_days=5, countries=["US"])
    express = ShippingMethod.objects.create(name="Express", price=D("9.90"), min_days=1, max_days=2, countries=["US"])
    TaxRate.objects.create(name="CA sales tax", country="US", region="CA", rate=D("7.25"), applies_to_shipping=False)
    return {"hoodie": hoodie, "book": book, "voucher": voucher, "express": express}


def body(*lines, **extra) -> dict:
    return {
        "items": [{"variant_id": str(variant.variant_id), "quantity": quantity} for variant, quantity in lines],
        "shipping_address": CALIFORNIA,
        "payment_token": "tok_visa",
        **extra,
    }


def checkout(client, payload):
    return client.post("/api/orders/", payload, headers={"Idempotency-Key": str(uuid.uuid4())})


# Two hoodies (80.00) and a book (12.50): 8.00 off the hoodies, then 5.00 off spread 72.00 : 12.50
# (4.26 and 0.74); express 9.90; tax 7.25% of 67.74 (4.91) and of 11.76 (0.85).
EXPECTED = {
    "subtotal": "92.50",
    "discount_total": "13.00",
    "shipping_total": "9.90",
    "tax_total": "5.76",
    "total": "95.16",
}


def test_a_checkout_with_a_promotion_a_voucher_express_shipping_and_tax_is_priced_exactly(customer_client, shop):
    response = checkout(
        customer_client,
        body((shop["hoodie"], 2), (shop["book"], 1), voucher_code="five", shipping_method_id=str(shop["express"].id)),
    )

    assert response.status_code == 201, response.json()
    order = response.json()
    assert {key: order[key] for key in EXPECTED} == EXPECTED
    assert order["discounts"] == [
        {"code": None, "name": "Winter sale", "amount": "8.00", "source": "promotion"},
        {"code": "FIVE", "name": "5 off", "amount": "5.00", "source": "voucher"},
    ]
    assert order["shipping_method"] == {"id": str(shop["express"].id), "name": "Express", "price": "9.90"}
    assert order["tax"] == {"name": "CA sales tax", "rate": "7.25"}
    assert [(line["discount_total"], line["tax_total"], line["paid_total"]) for line in order["items"]] == [
        ("12.26", "4.91", "72.65"),
        ("0.74", "0.85", "12.61"),
    ]
    [created] = published_data("order.created")
    assert (created["total"], created["discount_total"], created["tax_total"]) == ("95.16", "13.00", "5.76")
    assert Voucher.objects.get(code="FIVE").used_count == 1


def test_the_cart_shows_the_breakdown_the_checkout_then_charges(customer_client, customer_id, shop):
    cart = CartFactory(user_id=customer_id)
    CartItemFactory(cart=cart, variant=shop["hoodie"], quantity=2)
    CartItemFactory(cart=cart, variant=shop["book"], quantity=1)

    chosen = customer_client.patch(
        "/api/cart/",
        {"voucher_code": "Five", "country": "US", "region": "CA", "shipping_method_id": str(shop["express"].id)},
    )
    shown = customer_client.get("/api/cart/").json()
    placed = checkout(customer_client, {"shipping_address": CALIFORNIA, "payment_token": "tok_visa"})

    assert chosen.status_code == 200, chosen.json()
    assert {key: shown[key] for key in EXPECTED} == EXPECTED
    assert shown["voucher_code"] == "FIVE"
    assert placed.status_code == 201, placed.json()
    assert {key: placed.json()[key] for key in EXPECTED} == EXPECTED
    assert placed.json()["voucher_code"] == "FIVE"
    # the emptied cart keeps where it ships, not the voucher its order used
    after = customer_client.get("/api/cart/").json()
    assert (after["items"], after["voucher_code"], after["voucher_error"], after["country"]) == ([], "", None, "US")


def test_the_charge_asked_of_payment_is_the_orders_total(customer_client, shop):
    order_id = checkout(customer_client, body((shop["hoodie"], 2), (shop["book"], 1), voucher_code="FIVE")).json()[
        "id"
    ]

    saga_stock_reserved(order_id=uuid.UUID(order_id))

    [requested] = published_data("order.payment_requested")
    assert (requested["amount"], requested["currency"]) == (
        Order.objects.get(pk=order_id).total.to_eng_string(),
        "USD",
    )
    assert requested["amount"] == "85.26"  # standard shipping (free) by default


@pytest.mark.parametrize(
    ("voucher", "code"),
    [
        ({"code": "NOPE"}, "voucher_invalid"),  # no such voucher
        ({"code": "OFF", "is_active": False}, "voucher_invalid"),
        ({"code": "OLD", "ends_at": timezone.now() - timedelta(days=1)}, "voucher_expired"),
        ({"code": "BIG", "min_subtotal": D("500")}, "voucher_invalid"),
        ({"code": "BOOKS", "category_slugs": ["nothing-here"]}, "voucher_invalid"),
        ({"code": "GONE", "usage_limit": 0}, "voucher_used_up"),
        ({"code": "EUR", "currency": "EUR"}, "voucher_invalid"),  # a fixed amount in another currency
    ],
)
def test_a_voucher_that_does_not_apply_is_a_400_and_nothing_is_placed(customer_client, shop, voucher, code):
    if voucher["code"] != "NOPE":
        Voucher.objects.create(name="x", kind="fixed", value=D("1.00"), **voucher)

    response = checkout(customer_client, body((shop["book"], 1), voucher_code=voucher["code"]))

    assert response.status_code == 400
    assert [(e["code"], e["attr"]) for e in response.json()["errors"]] == [(code, "voucher_code")]
    assert Order.objects.count() == 0


def test_a_shipping_method_that_does_not_deliver_there_is_a_400(customer_client, shop):
    elsewhere = ShippingMethod.objects.create(name="Island hop", price=D("3.00"), countries=["IS"])

    response = checkout(customer_client, body((shop["book"], 1), shipping_method_id=str(elsewhere.id)))

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "shipping_method_invalid"


def test_a_customer_uses_a_voucher_as_often_as_it_allows_and_a_cancel_gives_the_use_back(customer_id, shop):
    Voucher.objects.filter(code="FIVE").update(per_customer_limit=1)

    def place():
        return order_place(
            user_id=customer_id,
            idempotency_key=uuid.uuid4(),
            shipping_address=CALIFORNIA,
            payment_token="tok_visa",
            items=[{"variant_id": shop["book"].variant_id, "quantity": 1}],
            voucher_code="FIVE",
        )

    first = place()
    with pytest.raises(ValidationError) as refused:
        place()
    order_cancel(order_id=first.id)
    again = place()

    assert refused.value.message_dict == {"voucher_code": ["This voucher has been used as often as it may be."]}
    uses = VoucherUse.objects.order_by("created_at")
    assert [(use.order_id, use.released_at is not None) for use in uses] == [(first.id, True), (again.id, False)]
    assert Voucher.objects.get(code="FIVE").used_count == 1


def test_a_cancel_redelivered_gives_the_use_back_once(customer_id, shop):
    order = order_place(
        user_id=customer_id,
        idempotency_key=uuid.uuid4(),
        shipping_address=CALIFORNIA,
        payment_token="tok_visa",
        items=[{"variant_id": shop["book"].variant_id, "quantity": 1}],
        voucher_code="FIVE",
    )
    order_transition(order_id=order.id, status=OrderStatus.CANCELLED, reason="payment_declined")
    order_cancel_if_pending(order_id=order.id, reason="payment_declined")  # the same failure, again

    assert Voucher.objects.get(code="FIVE").used_count == 0
    assert VoucherUse.objects.get(order_id=order.id).released_at is not None


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_checkouts_with_a_single_use_voucher_use_it_exactly_once():
    book = CatalogVariantFactory(price=D("20.00"))
    Voucher.objects.create(code="ONCE", name="Once", kind="percentage", value=D("50"), usage_limit=1)
    outcomes = []

    def place():
        try:
            order = order_place(
                user_id=str(uuid.uuid4()),
                idempotency_key=uuid.uuid4(),
                shipping_address=CALIFORNIA,
                payment_token="tok_visa",
                items=[{"variant_id": book.variant_id, "quantity": 1}],
                voucher_code="ONCE",
            )
            outcomes.append(("placed", order.total))
        except Exception as error:  # noqa: BLE001 - the assertion below says which
            outcomes.append(("refused", getattr(error, "message_dict", repr(error))))

    race(place, [()] * 50)

    assert sorted(outcomes, key=str).count(("placed", D("10.00"))) == 1
    refusals = [detail for outcome, detail in outcomes if outcome == "refused"]
    assert refusals == [{"voucher_code": ["This voucher has been used as often as it may be."]}] * 49
    assert Voucher.objects.get(code="ONCE").used_count == 1
    assert VoucherUse.objects.filter(released_at__isnull=True).count() == 1

    # and a cancel gives the one use back
    order_cancel(order_id=VoucherUse.objects.get().order_id)
    assert Voucher.objects.get(code="ONCE").used_count == 0


# ---------------------------------------------------------------------------
# Set-up: shipping methods for customers, the rest for staff
# ---------------------------------------------------------------------------
def test_anyone_lists_the_shipping_methods_for_a_country_cheapest_first(api_client, shop):
    ShippingMethod.objects.create(name="Courier", price=D("30.00"), countries=["GB"])

    response = api_client.get("/api/shipping-methods/", {"country": "us"})

    assert response.status_code == 200
    assert [(m["name"], m["price"], m["min_days"], m["max_days"]) for m in response.json()["results"]] == [
        ("Standard", "0.00", 3, 5),
        ("Express", "9.90", 1, 2),
    ]


def test_staff_set_up_pricing_through_the_api(staff_client, customer_client):
    created = [
        staff_client.post(
            "/api/promotions/",
            {"name": "Spring", "kind": "percentage", "value": "15.00", "brand_slugs": ["acme"]},
            format="json",
        ),
        staff_client.post(
            "/api/vouchers/",
            {"code": "spring-5", "name": "5 off", "kind": "fixed", "value": "5.00", "usage_limit": 100},
            format="json",
        ),
        staff_client.post(
            "/api/shipping-methods/",
            {"name": "Pallet", "price": "99.00", "min_days": 5, "max_days": 9, "countries": ["US", "CA"]},
            format="json",
        ),
        staff_client.post("/api/tax-rates/", {"name": "GST", "country": "CA", "rate": "5.00"}, format="json"),
    ]
    refused = [
        staff_client.post("/api/vouchers/", {"code": "SPRING-5", "name": "again", "kind": "fixed"}, format="json"),
        staff_client.post(
            "/api/promotions/", {"name": "Too much", "kind": "percentage", "value": "101"}, format="json"
        ),
        staff_client.post("/api/tax-rates/", {"name": "GST again", "country": "CA", "rate": "5.00"}, format="json"),
        customer_client.post("/api/tax-rates/", {"name": "Mine", "country": "FR", "rate": "1.00"}, format="json"),
    ]

    assert [response.status_code for response in created] == [201] * 4, [r.json() for r in created]
    assert created[1].json()["code"] == "SPRING-5"
    assert [response.status_code for response in refused] == [400, 400, 400, 403]
    assert [(e["code"], e["attr"]) for e in refused[0].json()["errors"]] == [("unique", "code")]
    assert [(e["code"], e["attr"]) for e in refused[1].json()["errors"]] == [("max_value", "value")]


def test_staff_see_a_vouchers_uses(staff_client, customer_id, shop):
    order = order_place(
        user_id=customer_id,
        idempotency_key=uuid.uuid4(),
        shipping_address=CALIFORNIA,
        payment_token="tok_visa",
        items=[{"variant_id": shop["book"].variant_id, "quantity": 1}],
        voucher_code="FIVE",
    )

    response = staff_client.get(f"/api/vouchers/{shop['voucher'].id}/uses/")

    assert response.status_code == 200
    assert [(use["order_id"], use["amount"], use["released_at"]) for use in response.json()["results"]] == [
        (str(order.id), "5.00", None)
    ]


def test_returned_units_refund_what_was_paid_for_them_and_the_last_return_refunds_shipping(customer_id, shop):
    from orders import fulfilment

    # given: 3 hoodies (120.00, 12.00 off), express shipping 9.90, tax 7.25% of 108.00 = 7.83
    order = order_place(
        user_id=customer_id,
        idempotency_key=uuid.uuid4(),
        shipping_address=CALIFORNIA,
        payment_token="tok_visa",
        items=[{"variant_id": shop["hoodie"].variant_id, "quantity": 3}],
        shipping_method_id=shop["express"].id,
    )
    order_transition(order_id=order.id, status=OrderStatus.CONFIRMED)
    Order.objects.filter(id=order.id).update(stock_committed_at=timezone.now())  # inventory.committed
    fulfilment.order_ship(order_id=order.id, carrier="UPS", tracking_number="1Z")
    fulfilment.order_deliver(order_id=order.id)
    line = order.lines.get().public_id

    # when: one unit, then the other two
    first = fulfilment.return_request(order_id=order.id, user_id=customer_id, lines=[{"line_id": line, "quantity": 1}])
    rest = fulfilment.return_request(order_id=order.id, user_id=customer_id, lines=[{"line_id": line, "quantity": 2}])

    # then: a third of 115.83 (38.61), then the rest with shipping (115.83 - 38.61 + 9.90)
    order.refresh_from_db()
    assert (order.total, order.lines.get().paid_total) == (D("125.73"), D("115.83"))
    assert (first.refund_amount, rest.refund_amount) == (D("38.61"), D("87.12"))
    assert first.refund_amount + rest.refund_amount == order.total


def test_the_catalog_copy_keeps_what_promotions_are_scoped_by():
    from cart.catalog import catalog_product_store
    from cart.models import CatalogVariant

    product_id = uuid.uuid4()
    catalog_product_store(
        product_id=product_id,
        data={
            "product_id": str(product_id),
            "sku": "HOOD-1",
            "name": "Hoodie",
            "price": "40.00",
            "currency": "USD",
            "is_active": True,
            "brand": "acme",
            "category": "hoodies",
            "category_path": ["hoodies", "clothing"],
            "updated_at": "2026-12-01T10:00:00+00:00",
        },
    )

    copy = CatalogVariant.objects.get(variant_id=product_id)
    assert (copy.category_slugs, copy.brand_slug) == (["hoodies", "clothing"], "acme")


@pytest.mark.parametrize(
    ("claims", "status"), [({"email_verified": True}, 201), ({"email_verified": False}, 403), ({}, 403)]
)
def test_a_shop_may_require_a_verified_address_before_checkout(
    settings, access_token_for, customer_id, shop, claims, status
):
    from rest_framework.test import APIClient

    settings.ORDER_REQUIRE_VERIFIED_EMAIL = True
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user_id=customer_id, **claims)}")

    response = checkout(client, body((shop["book"], 1)))

    assert response.status_code == status
    if status == 403:
        assert response.json()["errors"][0]["code"] == "email_not_verified"
        assert Order.objects.count() == 0
