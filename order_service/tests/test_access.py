"""Who may call each endpoint (ecom_common.testing.access_tests walks the URL conf)."""

import pytest

from cart.tests.factories import CartItemFactory
from ecom_common.testing.access_tests import *  # noqa: F403
from orders.tests.factories import order_placed

ACCESS = {
    "schema": "public",
    "swagger-ui": "public",
    "cart": "authenticated",
    "cart-item-list": "authenticated",
    "cart-item-detail": "authenticated-own",
    "order-list": "authenticated",
    "order-detail": "authenticated-own",
    "order-cancel": "authenticated-own",
    "order-returns": "authenticated-own",
    "order-ship": "staff",
    "order-deliver": "staff",
    "order-receive": "staff",
    "promotion-list": "staff",
    "promotion-detail": "staff",
    "voucher-list": "staff",
    "voucher-detail": "staff",
    "voucher-use-list": "staff",
    "shipping-method-list": "staff-write",
    "shipping-method-detail": "staff",
    "tax-rate-list": "staff",
    "tax-rate-detail": "staff",
}


@pytest.fixture
def another_users_objects(db):
    order, cart_item = order_placed(), CartItemFactory()
    return {
        "cart-item-detail": {"pk": cart_item.pk},
        "order-detail": {"pk": order.pk},
        "order-cancel": {"pk": order.pk},
        "order-returns": {"pk": order.pk},
    }
