"""The trace travels without an exporter too: a checkout's traceparent is in the events it
writes, an event's traceparent is in the events its handling writes, and log lines carry the
trace id (ecom_common/tracing.py)."""

import logging
import uuid

import pytest

from cart.tests.factories import CatalogVariantFactory
from ecom_common.testing.events import deliver, event_envelope, published
from orders.tests.factories import order_placed
from orders.tests.test_checkout_api import ORDERS_URL, body_for

pytestmark = pytest.mark.django_db

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture
def kettle():
    return CatalogVariantFactory()


def test_a_checkouts_traceparent_is_in_the_events_it_writes(customer_client, kettle):
    response = customer_client.post(
        ORDERS_URL,
        body_for((kettle, 1)),
        headers={"Idempotency-Key": str(uuid.uuid4()), "traceparent": TRACEPARENT},
    )

    assert response.status_code == 201
    assert [envelope["traceparent"] for envelope in published("order.created")] == [TRACEPARENT]


def test_log_lines_carry_the_trace_id_of_the_work_they_belong_to():
    from ecom_common.request_id import RequestIdLogFilter
    from ecom_common.tracing import continuing

    def stamped() -> str | None:
        record = logging.LogRecord("orders", logging.INFO, __file__, 1, "a line", None, None)
        RequestIdLogFilter().filter(record)
        return record.trace_id

    with continuing(TRACEPARENT):
        within = stamped()

    assert (within, stamped()) == (TRACE_ID, None)


@pytest.mark.parametrize("sent", ["not-a-traceparent", f"00-{'0' * 32}-00f067aa0ba902b7-01"])
def test_a_malformed_traceparent_is_not_passed_on(customer_client, kettle, sent):
    response = customer_client.post(
        ORDERS_URL, body_for((kettle, 1)), headers={"Idempotency-Key": str(uuid.uuid4()), "traceparent": sent}
    )

    assert response.status_code == 201
    assert "traceparent" not in published("order.created")[0]


def test_handling_an_event_passes_its_traceparent_to_the_events_it_causes():
    order = order_placed()
    envelope = event_envelope("inventory.reserved", {"order_id": str(order.id)})
    envelope["traceparent"] = TRACEPARENT

    deliver(envelope)

    (asked,) = published("order.payment_requested")
    assert asked["traceparent"] == TRACEPARENT
