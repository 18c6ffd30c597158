"""One checkout is one trace: the spans every process exports (OTLP over HTTP, to a real
receiver) share the trace id the request came through the gateway with, and each saga step's
span is the child of the one whose event it handles, in causal order. The gateway starts a
trace for a request that brings none, and the log lines of that request carry its id."""

import secrets
import uuid

import pytest
import requests

from system_tests.shop import ADDRESS
from system_tests.stack import json_lines, wait_until

pytestmark = pytest.mark.slow

SERVER, CONSUMER = 2, 5  # OTLP span kinds
# The checkout's saga steps after the order web's request: (service, span name).
STEPS = (
    ("inventory-service", "order.created process"),
    ("order-service", "inventory.reserved process"),
    ("payment-service", "order.payment_requested process"),
    ("order-service", "payment.succeeded process"),
)


def _one(spans, **wanted):
    found = [span for span in spans if all(getattr(span, name) == value for name, value in wanted.items())]
    assert len(found) == 1, f"{wanted}: {[(s.service, s.name) for s in spans]}"
    return found[0]


def test_one_checkout_is_one_trace_across_the_gateway_order_inventory_and_payment(stack, shop, otlp_receiver):
    gateway = stack.public_gateway()
    customer, product = shop.customer(), shop.product(price="6.00")
    trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    request_id = uuid.uuid4().hex
    headers = {
        **customer,
        "Idempotency-Key": str(uuid.uuid4()),
        "X-Request-ID": request_id,
        "traceparent": f"00-{trace_id}-{caller_span}-01",
    }

    created = requests.post(
        f"{gateway.url}/api/orders/",
        json={
            "items": [{"product_id": product, "quantity": 1}],
            "shipping_address": ADDRESS,
            "payment_token": "tok_visa",
        },
        headers=headers,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    assert shop.final_order(customer, created.json()["id"])["status"] == "confirmed"
    spans = wait_until(
        lambda: (
            (found := otlp_receiver.trace(trace_id))
            # each process exports on its own schedule: wait for every step's span
            and {step for step in STEPS if any((s.service, s.name) == step for s in found)} == set(STEPS)
            and any(s.kind == SERVER and s.service == "order-service" for s in found)
            and found
        ),
        timeout=30,
        message="the confirmation's spans to be exported",
    )

    # The gateway's request: its access log line names the trace.
    access = wait_until(
        lambda: [line for line in json_lines(gateway.access_log) if line.get("request_id") == request_id],
        timeout=10,
        message="the gateway's access log line",
    )
    assert [line["trace_id"] for line in access] == [trace_id]
    # Web and workers of order, inventory and payment, one trace, each step the child of the last.
    placed = _one(spans, service="order-service", kind=SERVER, parent_span_id=caller_span)
    reserved = _one(spans, service="inventory-service", name="order.created process", parent_span_id=placed.span_id)
    payment_asked = _one(
        spans, service="order-service", name="inventory.reserved process", parent_span_id=reserved.span_id
    )
    charged = _one(
        spans, service="payment-service", name="order.payment_requested process", parent_span_id=payment_asked.span_id
    )
    confirmed = _one(spans, service="order-service", name="payment.succeeded process", parent_span_id=charged.span_id)
    chain = [placed, reserved, payment_asked, charged, confirmed]
    assert [span.start_ns for span in chain] == sorted(span.start_ns for span in chain)
    assert {"order-service", "inventory-service", "payment-service"} <= {span.service for span in spans}
    assert all(span.kind == CONSUMER for span in chain[1:])
    assert (
        confirmed.attributes["messaging.message.conversation_id"]
        == reserved.attributes["messaging.message.conversation_id"]
    )  # one saga: one correlation id
    # The database work of a step is inside it.
    assert any(span.parent_span_id == charged.span_id and span.service == "payment-service" for span in spans)


def test_the_gateway_starts_a_trace_when_the_caller_sends_none_and_the_events_and_logs_carry_it(
    stack, shop, otlp_receiver
):
    gateway = stack.start_gateway("gateway-tracing", trace_sample_percent="100")
    request_id = uuid.uuid4().hex

    created = requests.post(
        f"{gateway.url}/api/products/",
        json={"sku": f"TR-{uuid.uuid4().hex[:10]}", "name": "Traced", "price": "3.00", "currency": "USD"},
        headers={**shop.staff, "X-Request-ID": request_id},
        timeout=30,
    )

    assert created.status_code == 201, created.text
    (access,) = wait_until(  # nginx writes the line once the answer is sent
        lambda: [line for line in json_lines(gateway.access_log) if line.get("request_id") == request_id],
        timeout=10,
        message="the gateway's access log line",
    )
    trace_id = access["trace_id"]
    assert len(trace_id) == 32 and int(trace_id, 16) != 0
    # The event the request wrote carries the trace; the worker that applies it logs the trace id.
    ((event_id, traceparent),) = stack.sql(
        "SELECT id, envelope->>'traceparent' FROM product.ecom_common_outboxevent "
        "WHERE type = 'product.created' AND envelope->'data'->>'product_id' = %s",
        [created.json()["id"]],
    )
    assert traceparent.split("-")[1] == trace_id
    applied = wait_until(
        lambda: [
            line
            for line in json_lines(stack.workdir / "order-worker.log")
            if line.get("message") == "event applied" and line.get("event_id") == str(event_id)
        ],
        timeout=30,
        message="the order worker to apply product.created",
    )
    assert {line["trace_id"] for line in applied} == {trace_id}
    # Sampled at the gateway (100%): the product service's request span is exported in that trace.
    (request_span,) = wait_until(
        lambda: [
            span for span in otlp_receiver.trace(trace_id) if span.kind == SERVER and span.service == "product-service"
        ],
        timeout=30,
        message="the product service's request span",
    )
    assert request_span.parent_span_id == trace_id[:16]  # the gateway's: its request id's first 16 digits
