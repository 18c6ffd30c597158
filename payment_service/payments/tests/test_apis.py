import uuid
from decimal import Decimal

from payments.models import Payment
from payments.tests.factories import PaymentFactory

PAYMENTS_URL = "/api/payments/"


def test_list_has_exactly_the_contract_fields(customer_client, customer_id):
    payment = PaymentFactory(
        user_id=customer_id,
        amount=Decimal("19.99"),
        status=Payment.Status.SUCCEEDED,
        provider_reference="ch_test_1",
    )

    response = customer_client.get(PAYMENTS_URL)

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": str(payment.id),
                "order_id": str(payment.order_id),
                "amount": "19.99",
                "currency": "USD",
                "status": "succeeded",
                "refunded_amount": "0.00",
                "provider_reference": "ch_test_1",
                "created_at": payment.created_at.isoformat().replace("+00:00", "Z"),
            }
        ],
    }


def test_list_shows_only_the_callers_payments_filtered_by_order(customer_client, customer_id):
    wanted = PaymentFactory(user_id=customer_id)
    PaymentFactory(user_id=customer_id)
    PaymentFactory(order_id=uuid.uuid4())  # another user's

    response = customer_client.get(PAYMENTS_URL, {"order_id": str(wanted.order_id)})

    assert [item["id"] for item in response.json()["results"]] == [str(wanted.id)]


def test_list_of_another_users_order_is_empty(customer_client):
    other = PaymentFactory()

    response = customer_client.get(PAYMENTS_URL, {"order_id": str(other.order_id)})

    assert response.json()["count"] == 0


def test_an_invalid_order_id_filter_is_a_400(customer_client):
    response = customer_client.get(PAYMENTS_URL, {"order_id": "not-a-uuid"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "order_id"


def test_staff_see_every_payment(staff_client, customer_id):
    PaymentFactory(user_id=customer_id)
    PaymentFactory()

    response = staff_client.get(PAYMENTS_URL)

    assert response.json()["count"] == 2


def test_detail_of_own_payment(customer_client, customer_id):
    payment = PaymentFactory(user_id=customer_id, status=Payment.Status.PROCESSING)

    response = customer_client.get(f"{PAYMENTS_URL}{payment.id}/")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (str(payment.id), "processing")


def test_another_users_payment_is_404(customer_client):
    payment = PaymentFactory()

    response = customer_client.get(f"{PAYMENTS_URL}{payment.id}/")

    assert response.status_code == 404


def test_staff_see_any_payment(staff_client):
    payment = PaymentFactory()

    response = staff_client.get(f"{PAYMENTS_URL}{payment.id}/")

    assert response.status_code == 200


def test_anonymous_callers_get_401(api_client):
    response = api_client.get(PAYMENTS_URL)

    assert response.status_code == 401


def test_payments_cannot_be_written(customer_client):
    response = customer_client.post(PAYMENTS_URL, {"order_id": str(uuid.uuid4())})

    assert response.status_code == 405
