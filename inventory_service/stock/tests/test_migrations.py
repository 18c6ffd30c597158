import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("stock", "0002_variants")]
AFTER = [("stock", "0004_stockmovement_warehouse_required")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes("stock")


@pytest.mark.django_db(transaction=True)
def test_stock_from_before_warehouses_is_in_the_main_warehouse_afterwards():
    # given: stock, its ledger and a held reservation from before warehouses
    old = _migrate(BEFORE)
    variant_id, order_id = uuid.uuid4(), uuid.uuid4()
    stock = old.get_model("stock", "Stock").objects.create(variant_id=variant_id, on_hand=7, reserved=2)
    movement = old.get_model("stock", "StockMovement")
    movement.objects.create(variant=stock, kind="adjustment", on_hand_delta=7, actor="staff")
    movement.objects.create(variant=stock, kind="reservation", reserved_delta=2, actor="event:1", order_id=order_id)
    old.get_model("stock", "Reservation").objects.create(
        order_id=order_id, variant=stock, quantity=2, expires_at=timezone.now() + timedelta(hours=1)
    )

    try:
        # when
        new = _migrate(AFTER)

        # then
        [main] = new.get_model("stock", "Warehouse").objects.values_list("code", "name", "country", "priority")
        parts = list(
            new.get_model("stock", "WarehouseStock").objects.values_list("warehouse__code", "on_hand", "reserved")
        )
        ledger = set(new.get_model("stock", "StockMovement").objects.values_list("warehouse__code", flat=True))
        held = list(new.get_model("stock", "ReservationAllocation").objects.values_list("warehouse__code", "quantity"))
    finally:
        _migrate(_latest())

    assert main == ("main", "Main warehouse", "US", 10)
    assert parts == [("main", 7, 2)]
    assert ledger == {"main"}
    assert held == [("main", 2)]


@pytest.mark.django_db(transaction=True)
def test_an_empty_inventory_gets_no_warehouse_from_the_migration():
    _migrate(BEFORE)
    try:
        new = _migrate(AFTER)
        count = new.get_model("stock", "Warehouse").objects.count()
    finally:
        _migrate(_latest())

    assert count == 0
