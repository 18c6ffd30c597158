"""GET /api/notifications/: the caller's own messages, never another's (staff included)."""

import uuid

from notifications.models import Message
from notifications.tests.factories import MessageFactory


def test_a_customer_lists_only_their_own_messages_newest_first(customer_client, customer_id):
    older = MessageFactory(user_id=uuid.UUID(customer_id), subject="Older")
    newer = MessageFactory(
        user_id=uuid.UUID(customer_id), subject="Newer", status=Message.Status.QUEUED, kind="welcome"
    )
    MessageFactory(subject="Someone else's")
    MessageFactory(user_id=None, recipient_key="staff@example.com", kind="low_stock")

    response = customer_client.get("/api/notifications/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(m["id"], m["subject"], m["kind"], m["status"]) for m in body["results"]] == [
        (str(newer.id), "Newer", "welcome", "queued"),
        (str(older.id), "Older", "order_shipped", "sent"),
    ]
    assert set(body["results"][0]) == {"id", "kind", "subject", "status", "created_at", "sent_at"}


def test_staff_see_their_own_messages_too_not_the_customers(staff_client):
    MessageFactory()

    response = staff_client.get("/api/notifications/")

    assert response.json()["count"] == 0


def test_another_customers_message_is_404(customer_client):
    response = customer_client.get(f"/api/notifications/{MessageFactory().id}/")

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
