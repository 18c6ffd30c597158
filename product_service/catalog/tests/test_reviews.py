"""Reviews: only from a customer an order of the product was delivered to, once each; staff hide
and show them; the product's rating is of the visible ones, exact."""

import uuid
from decimal import Decimal

import pytest

from catalog.models import Product, Purchase, Review
from catalog.reviews import reviews_set_visible
from catalog.tests.factories import ProductFactory
from ecom_common.testing.events import deliver, event_envelope


def delivered(product: Product, user_id, order_id=None) -> dict:
    return event_envelope(
        "order.delivered",
        {
            "order_id": str(order_id or uuid.uuid4()),
            "user_id": str(user_id),
            "delivered_at": "2026-12-01T10:00:00+00:00",
            "items": [{"variant_id": str(product.id), "product_id": str(product.id), "quantity": 1}],
        },
    )


def reviews_url(product: Product) -> str:
    return f"/api/products/{product.id}/reviews/"


@pytest.fixture
def product():
    return ProductFactory(name="Kettle")


def test_order_delivered_records_the_purchase_once(product, customer_id):
    envelope = delivered(product, customer_id)

    assert deliver(envelope) == ["catalog.handlers.purchases_record_on_order_delivered"]
    assert deliver(envelope) == []
    assert list(Purchase.objects.values_list("user_id", "product_id")) == [(uuid.UUID(customer_id), product.id)]


def test_a_customer_without_a_delivered_order_cannot_review(customer_client, product):
    response = customer_client.post(reviews_url(product), {"rating": 5, "title": "Great"}, format="json")

    assert response.status_code == 403
    assert response.json()["errors"] == [
        {
            "code": "review_not_allowed",
            "detail": "Only a customer who received this product can review it.",
            "attr": None,
        }
    ]
    assert not Review.objects.exists()


def test_a_buyer_reviews_once(customer_client, api_client, customer_id, product):
    deliver(delivered(product, customer_id))

    first = customer_client.post(
        reviews_url(product), {"rating": 4, "title": "Good", "body": "Boils fast."}, format="json"
    )
    second = customer_client.post(reviews_url(product), {"rating": 1, "title": "Changed my mind"}, format="json")
    listed = api_client.get(reviews_url(product)).json()

    assert first.status_code == 201
    assert (second.status_code, second.json()["errors"][0]["code"]) == (409, "already_reviewed")
    assert [(r["rating"], r["title"], r["body"]) for r in listed["results"]] == [(4, "Good", "Boils fast.")]
    assert api_client.get(f"/api/products/{product.id}/").json()["rating"] == {"average": "4.00", "count": 1}


@pytest.mark.parametrize(("body", "attr"), [({"rating": 6, "title": "x"}, "rating"), ({"rating": 3}, "title")])
def test_an_invalid_review_is_400(customer_client, customer_id, product, body, attr):
    deliver(delivered(product, customer_id))

    response = customer_client.post(reviews_url(product), body, format="json")

    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == [attr]


def test_the_rating_is_of_visible_reviews_and_follows_moderation(product):
    for rating in (5, 4, 2):
        Review.objects.create(product=product, user_id=uuid.uuid4(), rating=rating, title=str(rating))
    reviews_set_visible(reviews=Review.objects.all(), visible=True)  # nothing changes: no refresh needed
    reviews_set_visible(reviews=Review.objects.filter(rating=5), visible=False)
    hidden = Product.objects.get(pk=product.pk)
    reviews_set_visible(reviews=Review.objects.all(), visible=True)
    shown = Product.objects.get(pk=product.pk)

    assert (hidden.rating_average, hidden.rating_count) == (Decimal("3.00"), 2)
    assert (shown.rating_average, shown.rating_count) == (Decimal("3.67"), 3)


def test_staff_hide_a_review_in_the_admin_and_the_rating_follows(admin_client, customer_client, customer_id, product):
    deliver(delivered(product, customer_id))
    customer_client.post(reviews_url(product), {"rating": 2, "title": "Meh"}, format="json")
    review = Review.objects.get()

    response = admin_client.post(
        "/admin/products/catalog/review/", {"action": "hide_selected", "_selected_action": [str(review.pk)]}
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert (Review.objects.get().is_visible, product.rating_average, product.rating_count) == (False, None, 0)
