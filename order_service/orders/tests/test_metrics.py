"""The order service's business metrics on /metrics, as Prometheus reads them."""

from datetime import timedelta

import pytest

from ecom_common.testing.metrics import metric_samples
from orders.models import CancelReason, OrderStatus, OrderStatusChange
from orders.services import order_cancel_if_pending, order_transition
from orders.tests.factories import order_placed

pytestmark = pytest.mark.django_db


def test_orders_by_outcome_sagas_and_the_event_bus_are_on_metrics(client):
    for _ in range(2):
        order_transition(order_id=order_placed().id, status=OrderStatus.CONFIRMED)
    order_cancel_if_pending(order_id=order_placed().id, reason=CancelReason.PAYMENT_DECLINED)
    order_placed()  # still in flight

    samples = metric_samples(client)

    assert samples[("ecom_orders_placed_total", ())] == 4
    assert samples[("ecom_orders_confirmed_total", ())] == 2
    assert samples[("ecom_orders_cancelled_total", (("reason", "payment_declined"),))] == 1
    assert samples[("ecom_sagas_in_flight", ())] == 1
    assert samples[("ecom_sagas_stuck", ())] == 0
    assert samples[("ecom_outbox_backlog", ())] >= 4  # each order's events, not relayed in this test
    assert samples[("ecom_dead_letters_open", ())] == 0


def test_the_saga_duration_histogram_counts_recent_outcomes_by_how_long_they_took(client):
    quick, slow = order_placed(), order_placed()
    for order, took in ((quick, timedelta(milliseconds=300)), (slow, timedelta(seconds=4))):
        order_transition(order_id=order.id, status=OrderStatus.CONFIRMED)
        OrderStatusChange.objects.filter(order=order, status=OrderStatus.CONFIRMED).update(at=order.created_at + took)

    samples = metric_samples(client)

    bucket = {
        bound: samples[("ecom_saga_duration_seconds_bucket", (("le", bound),))]
        for bound in ("0.25", "0.5", "5", "+Inf")
    }
    assert bucket == {"0.25": 0, "0.5": 1, "5": 2, "+Inf": 2}
    assert samples[("ecom_saga_duration_seconds_gcount", ())] == 2
    assert samples[("ecom_saga_duration_seconds_gsum", ())] == pytest.approx(4.3)
