"""What the shop sends: each kind of message, the event that causes it and how a preview looks."""

from django.db import models


class Kind(models.TextChoices):
    WELCOME = "welcome", "Welcome (with the address's verification link)"
    VERIFY_EMAIL = "verify_email", "Verify your address (resent link)"
    PASSWORD_RESET = "password_reset", "Password reset link"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    REGISTRATION_ATTEMPTED = "registration_attempted", "Someone tried to register with this address"
    ORDER_CONFIRMED = "order_confirmed", "Receipt (order confirmed)"
    ORDER_SHIPPED = "order_shipped", "Order shipped"
    ORDER_DELIVERED = "order_delivered", "Order delivered"
    ORDER_CANCELLED = "order_cancelled", "Order cancelled"
    REFUND_ISSUED = "refund_issued", "Refund issued"
    LOW_STOCK = "low_stock", "Low stock (to the staff)"


# The kinds whose mail carries a link's token: kept only until the mail is sent (services.py).
LINK_KINDS = frozenset({Kind.WELCOME, Kind.VERIFY_EMAIL, Kind.PASSWORD_RESET})

_ORDER = {
    "order_id": "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c",
    "items": [
        {
            "name": "Organic cotton T-shirt",
            "sku": "TSHIRT-M",
            "quantity": 2,
            "unit_price": "25.00",
            "line_total": "50.00",
        }
    ],
    "subtotal": "50.00",
    "discount_total": "5.00",
    "shipping_total": "0.00",
    "tax_total": "3.26",
    "total": "48.26",
    "currency": "USD",
    "discounts": [{"code": "WELCOME10", "name": "Welcome", "amount": "5.00"}],
}
# What the admin's preview renders a template with: what the event of each kind carries.
SAMPLE_DATA: dict[str, dict] = {
    Kind.WELCOME: {"token": "sample-token"},
    Kind.VERIFY_EMAIL: {"token": "sample-token"},
    Kind.PASSWORD_RESET: {"token": "sample-token"},
    Kind.PASSWORD_CHANGED: {},
    Kind.REGISTRATION_ATTEMPTED: {},
    Kind.ORDER_CONFIRMED: _ORDER,
    Kind.ORDER_SHIPPED: {**_ORDER, "carrier": "UPS", "tracking_number": "1Z999AA10123456784"},
    Kind.ORDER_DELIVERED: {**_ORDER, "delivered_at": "2026-12-01T10:00:00+00:00"},
    Kind.ORDER_CANCELLED: {**_ORDER, "reason": "customer_request", "previous_status": "confirmed"},
    Kind.REFUND_ISSUED: {"order_id": _ORDER["order_id"], "amount": "25.00", "currency": "USD"},
    Kind.LOW_STOCK: {
        "variant_id": "7a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
        "product_id": "7a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2e",
        "available": 2,
        "threshold": 5,
    },
}
