"""Orders are placed through the real checkout, so each test starts from what checkout makes."""

import uuid

from cart.tests.factories import CatalogVariantFactory
from orders.models import Order
from orders.services import order_place

ADDRESS = {
    "full_name": "Ada Lovelace",
    "line1": "12 Analytical St",
    "line2": "",
    "city": "London",
    "region": "",
    "postal_code": "N1 9GU",
    "country": "GB",
}


def order_placed(*, user_id: str | None = None, quantity: int = 2, product=None) -> Order:
    product = product or CatalogVariantFactory()
    return order_place(
        user_id=user_id or str(uuid.uuid4()),
        idempotency_key=uuid.uuid4(),
        shipping_address=ADDRESS,
        payment_token="tok_visa",
        items=[{"product_id": product.product_id, "quantity": quantity}],
    )


def items_of(order: Order) -> list[dict]:
    """The lines as the order events should carry them."""
    return [
        {
            "variant_id": str(line.variant_id),
            "product_id": str(line.product_id),
            "quantity": line.quantity,
            "sku": line.sku,
            "name": line.name,
            "unit_price": str(line.unit_price),
            "line_total": str(line.line_total),
        }
        for line in order.lines.all()
    ]
