import pytest
from django.core.management import call_command

from ecom_common.demo import demo_variant_ids
from stock.models import Stock, StockMovement

pytestmark = pytest.mark.django_db


def test_seed_puts_fifty_of_every_demo_variant_on_hand_and_is_idempotent():
    # given: one product already has some stock
    first_id = demo_variant_ids()[0][0]
    call_command("seed_demo_stock")
    Stock.objects.filter(variant_id=first_id).update(on_hand=48)
    StockMovement.objects.create(variant_id=first_id, kind="adjustment", on_hand_delta=-2, actor="test")

    # when
    call_command("seed_demo_stock")
    call_command("seed_demo_stock")

    # then
    assert Stock.objects.count() == len(demo_variant_ids()) == 28
    assert set(Stock.objects.values_list("on_hand", flat=True)) == {50}
    assert set(Stock.objects.values_list("variant_id", flat=True)) == {
        variant_id for variant_id, _ in demo_variant_ids()
    }
    assert StockMovement.objects.filter(variant_id=first_id).count() == 3  # 50, -2, +2
