import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("payments", "0004_partial_refunds")]
AFTER = [("payments", "0005_payment_order")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_orders_cancelled_before_the_payment_order_table_stay_cancelled():
    old_apps = _migrate(BEFORE)
    order_id = uuid.uuid4()
    cancelled = old_apps.get_model("payments", "CancelledOrder").objects.create(order_id=order_id)

    try:
        new_apps = _migrate(AFTER)
        rows = list(new_apps.get_model("payments", "PaymentOrder").objects.values("order_id", "cancelled_at"))
    finally:
        _migrate(_latest())

    assert rows == [{"order_id": order_id, "cancelled_at": cancelled.cancelled_at}]


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes("payments")
