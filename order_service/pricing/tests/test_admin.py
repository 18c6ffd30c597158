import re
import uuid
from decimal import Decimal

import pytest

from cart.tests.factories import CatalogVariantFactory
from orders.services import order_place
from pricing.models import Promotion, ShippingMethod, TaxRate, Voucher

pytestmark = pytest.mark.django_db

ADMIN = "/admin/orders"
CALIFORNIA = {
    "full_name": "G H",
    "line1": "1 Loop",
    "city": "Cupertino",
    "region": "CA",
    "postal_code": "95014",
    "country": "US",
}


@pytest.fixture
def priced_order(customer_id):
    book = CatalogVariantFactory(name="Book", price=Decimal("50.00"))
    Promotion.objects.create(name="Book week", kind="percentage", value=Decimal("10"))
    Voucher.objects.create(code="TWO", name="2 off", kind="fixed", value=Decimal("2.00"))
    ShippingMethod.objects.create(name="Express", price=Decimal("9.90"), countries=["US"])
    TaxRate.objects.create(name="CA sales tax", country="US", region="CA", rate=Decimal("7.25"))
    return order_place(
        user_id=customer_id,
        idempotency_key=uuid.uuid4(),
        shipping_address=CALIFORNIA,
        payment_token="tok_visa",
        items=[{"variant_id": book.variant_id, "quantity": 1}],
        voucher_code="two",
    )


@pytest.mark.parametrize("page", ["promotion", "voucher", "shippingmethod", "taxrate"])
def test_pricing_admin_pages_load(admin_client_logged_in, priced_order, page):
    listed = admin_client_logged_in.get(f"{ADMIN}/pricing/{page}/")
    added = admin_client_logged_in.get(f"{ADMIN}/pricing/{page}/add/")

    assert (listed.status_code, added.status_code) == (200, 200)


def test_a_vouchers_page_shows_its_uses(admin_client_logged_in, priced_order):
    voucher = Voucher.objects.get(code="TWO")

    response = admin_client_logged_in.get(f"{ADMIN}/pricing/voucher/{voucher.pk}/change/")

    assert response.status_code == 200
    assert str(priced_order.id) in response.text


def test_the_order_page_shows_the_priced_breakdown_with_its_currency(admin_client_logged_in, priced_order):
    response = admin_client_logged_in.get(f"{ADMIN}/orders/order/{priced_order.id}/change/")

    # 50.00 - 5.00 - 2.00 = 43.00; + 9.90; tax 7.25% of 43.00 (3.12) and of 9.90 (0.72)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))
    for row in [
        "Subtotal 50.00 USD",
        "Book week -5.00 USD",
        "2 off (TWO) -2.00 USD",
        "Express 9.90 USD",
        "CA sales tax 7.25% 3.84 USD",
        "Total 56.74 USD",
    ]:
        assert row in text
