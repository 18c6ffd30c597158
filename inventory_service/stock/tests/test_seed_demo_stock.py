import pytest
from django.core.management import call_command

from ecom_common.demo import demo_variant_ids
from stock import services
from stock.models import Stock, StockMovement, Warehouse, WarehouseStock

pytestmark = pytest.mark.django_db


def test_seed_puts_every_demo_variant_in_two_warehouses_and_is_idempotent():
    # given: one variant's stock was changed since the last seed
    first_id = demo_variant_ids()[0][0]
    call_command("seed_demo_stock")
    services.stock_adjust(variant_id=first_id, delta=-2, warehouse="eu", reason="broken", actor="test")

    # when
    call_command("seed_demo_stock")
    call_command("seed_demo_stock")

    # then
    assert list(Warehouse.objects.values_list("code", "country", "priority")) == [("main", "US", 10), ("eu", "DE", 20)]
    assert Stock.objects.count() == len(demo_variant_ids()) == 28
    assert set(Stock.objects.values_list("on_hand", flat=True)) == {50}
    assert set(WarehouseStock.objects.values_list("warehouse__code", "on_hand")) == {("main", 30), ("eu", 20)}
    assert set(Stock.objects.values_list("variant_id", flat=True)) == {
        variant_id for variant_id, _ in demo_variant_ids()
    }
    history = StockMovement.objects.filter(variant_id=first_id).order_by("created_at")
    assert [(m.warehouse.code, m.on_hand_delta) for m in history] == [("main", 30), ("eu", 20), ("eu", -2), ("eu", 2)]
