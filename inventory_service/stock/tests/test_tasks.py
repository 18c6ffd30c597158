import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from ecom_common.events.worker import beat_schedule
from stock import services
from stock.models import Reservation
from stock.tasks import reservation_expire_overdue_task

pytestmark = pytest.mark.django_db


def test_beat_runs_the_expiry_every_ten_seconds():
    entry = beat_schedule()["reservation-expire-overdue"]

    assert entry == {"task": reservation_expire_overdue_task.name, "schedule": timedelta(seconds=10)}


def test_expiry_task_expires_overdue_reservations(stock_on_hand):
    stock = stock_on_hand(5)
    order_id = uuid.uuid4()
    services.stock_reserve_for_order(
        order_id=order_id, items=[{"variant_id": str(stock.variant_id), "quantity": 2}], actor="event:test"
    )
    Reservation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert reservation_expire_overdue_task() == 1
    assert Reservation.objects.get().status == "expired"
