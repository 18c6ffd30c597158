"""Events as the other services publish them, and sending what is queued as the worker would."""

import uuid

from ecom_common.testing.events import deliver, event_envelope
from notifications import services
from notifications.models import Message

USER_ID = uuid.UUID("6a1f0e52-8a3e-4b8e-9a44-0d6b1f2c3d4e")
ORDER_ID = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c"


def user_event(type: str, *, email: str = "ada@example.com", token: str | None = None, **extra) -> dict:
    data = {"user_id": str(USER_ID), "email": email, "name": "Ada Lovelace", **extra}
    if token is not None:
        data["token"] = token
    return event_envelope(type, data, source="user_service")


def order_confirmed() -> dict:
    return event_envelope(
        "order.confirmed",
        {
            "order_id": ORDER_ID,
            "user_id": str(USER_ID),
            "items": [
                {
                    "variant_id": str(uuid.uuid4()),
                    "product_id": str(uuid.uuid4()),
                    "quantity": 2,
                    "sku": "MUG-BLUE",
                    "name": "Blue mug",
                    "unit_price": "12.50",
                    "line_total": "25.00",
                }
            ],
            "subtotal": "25.00",
            "discount_total": "2.50",
            "shipping_total": "4.90",
            "tax_total": "1.63",
            "total": "29.03",
            "currency": "EUR",
            "tax_included": False,
            "discounts": [{"code": "WELCOME10", "name": "Welcome", "amount": "2.50", "source": "voucher"}],
            "shipping_method": {"id": str(uuid.uuid4()), "name": "Standard", "price": "4.90"},
            "tax": None,
        },
        source="order_service",
    )


def send_queued() -> list[Message]:
    """Every queued message, one attempt each (what the task or the sweep does)."""
    ids = Message.objects.filter(status=Message.Status.QUEUED).values_list("pk", flat=True)
    return [services.message_send(message_id=pk) for pk in list(ids)]


__all__ = ["ORDER_ID", "USER_ID", "deliver", "order_confirmed", "send_queued", "user_event"]
