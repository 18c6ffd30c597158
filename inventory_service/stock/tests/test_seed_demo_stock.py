import pytest
from django.core.management import call_command

from ecom_common.demo import DEMO_PRODUCTS, demo_product_id
from stock.models import Stock, StockMovement

pytestmark = pytest.mark.django_db


def test_seed_puts_fifty_of_every_demo_product_on_hand_and_is_idempotent():
    # given: one product already has some stock
    first_id = demo_product_id(DEMO_PRODUCTS[0]["sku"])
    call_command("seed_demo_stock")
    Stock.objects.filter(product_id=first_id).update(on_hand=48)
    StockMovement.objects.create(product_id=first_id, kind="adjustment", on_hand_delta=-2, actor="test")

    # when
    call_command("seed_demo_stock")
    call_command("seed_demo_stock")

    # then
    assert Stock.objects.count() == len(DEMO_PRODUCTS)
    assert set(Stock.objects.values_list("on_hand", flat=True)) == {50}
    assert set(Stock.objects.values_list("product_id", flat=True)) == {
        demo_product_id(p["sku"]) for p in DEMO_PRODUCTS
    }
    assert StockMovement.objects.filter(product_id=first_id).count() == 3  # 50, -2, +2
