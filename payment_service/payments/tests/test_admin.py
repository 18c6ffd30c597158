import pytest

from payments.providers.sandbox import SandboxProvider
from payments.tests.factories import PaymentFactory

ADMIN = "/admin/payments/payments"


@pytest.mark.parametrize("page", ["payment/", "sandboxcharge/", "paymentorder/"])
def test_admin_lists_load(admin_client_logged_in, page):
    PaymentFactory(provider_reference="ch_test_1")
    SandboxProvider().charge(token="tok_visa", amount="1.00", currency="USD", idempotency_key="k")

    response = admin_client_logged_in.get(f"{ADMIN}/{page}", {"q": "ch_test"})

    assert response.status_code == 200


def test_admin_payment_is_read_only(admin_client_logged_in):
    payment = PaymentFactory()

    page = admin_client_logged_in.get(f"{ADMIN}/payment/{payment.id}/change/")
    add = admin_client_logged_in.get(f"{ADMIN}/payment/add/")

    assert page.status_code == 200
    assert b'name="token"' not in page.content
    assert add.status_code == 403
