import uuid

import pytest

from ecom_common.testing.events import deliver, event_envelope, published_data
from stock.models import Reservation, Stock, StockMovement

pytestmark = pytest.mark.django_db


def numbers(stock: Stock) -> tuple[int, int]:
    stock.refresh_from_db()
    return stock.on_hand, stock.reserved


def order_created(order_id, stock, quantity):
    return event_envelope(
        "order.created",
        {
            "order_id": str(order_id),
            "user_id": str(uuid.uuid4()),
            "items": [{"variant_id": str(stock.variant_id), "quantity": quantity, "unit_price": "9.99"}],
            "total": "9.99",
            "currency": "USD",
        },
    )


def order_event(type, order_id, stock, quantity, **extra):
    items = [{"variant_id": str(stock.variant_id), "quantity": quantity}]
    return event_envelope(type, {"order_id": str(order_id), "user_id": str(uuid.uuid4()), "items": items, **extra})


def order_cancelled(order_id, stock, quantity, reason="customer_request", previous_status="pending"):
    return order_event("order.cancelled", order_id, stock, quantity, reason=reason, previous_status=previous_status)


def test_product_created_before_variants_makes_an_empty_stock_record_once():
    # given: an event as the catalog published them before variants: the product is its variant
    variant_id = uuid.uuid4()
    envelope = event_envelope(
        "product.created",
        {
            "product_id": str(variant_id),
            "sku": "K-1",
            "name": "Kettle",
            "price": "9.00",
            "currency": "USD",
            "is_active": True,
            "updated_at": "2026-01-01T00:00:00Z",
        },
    )

    # when
    first, second = deliver(envelope), deliver(envelope)

    # then
    assert first == ["stock.handlers.stock_create_on_product_created"]
    assert second == []
    assert Stock.objects.filter(variant_id=variant_id).values_list("on_hand", "reserved").get() == (0, 0)
    assert StockMovement.objects.count() == 0


def test_product_created_keeps_an_existing_stock_record(stock_on_hand):
    stock = stock_on_hand(7)

    deliver(event_envelope("product.created", {"product_id": str(stock.variant_id), "sku": "K-1"}))

    assert numbers(stock) == (7, 0)


def test_product_events_make_a_stock_record_per_variant_each_knowing_its_product(stock_on_hand):
    product_id, small, large = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    variant = {"sku": "T-S", "price": "5.00", "currency": "USD", "is_active": True, "attributes": {"size": "S"}}
    created = {"product_id": str(product_id), "variants": [{**variant, "variant_id": str(small)}]}
    updated = {**created, "variants": [*created["variants"], {**variant, "sku": "T-L", "variant_id": str(large)}]}

    deliver(event_envelope("product.created", created))
    deliver(event_envelope("product.updated", updated))

    assert sorted(Stock.objects.values_list("variant_id", "product_id", "on_hand")) == sorted(
        [(small, product_id, 0), (large, product_id, 0)]
    )


def test_order_created_delivered_twice_reserves_once(stock_on_hand):
    # given
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    envelope = order_created(order_id, stock, 3)

    # when
    deliver(envelope)
    deliver(envelope)

    # then
    assert numbers(stock) == (10, 3)
    assert Reservation.objects.get(order_id=order_id).quantity == 3
    assert StockMovement.objects.get(kind="reservation").actor == f"event:{envelope['id']}"
    assert len(published_data("inventory.reserved")) == 1


def test_published_events_carry_the_saga_correlation_and_cause(stock_on_hand):
    from ecom_common.testing.events import published

    stock = stock_on_hand(10)
    envelope = order_created(uuid.uuid4(), stock, 1)

    deliver(envelope)

    [reserved] = published("inventory.reserved")
    assert (reserved["correlation_id"], reserved["causation_id"]) == (envelope["correlation_id"], envelope["id"])


def test_order_confirmed_delivered_twice_commits_once(stock_on_hand):
    # given
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    deliver(order_created(order_id, stock, 3))
    envelope = order_event("order.confirmed", order_id, stock, 3)

    # when
    deliver(envelope)
    deliver(envelope)

    # then
    assert numbers(stock) == (7, 0)
    assert len(published_data("inventory.committed")) == 1


def test_order_cancelled_delivered_twice_releases_once(stock_on_hand):
    # given
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    deliver(order_created(order_id, stock, 3))
    envelope = order_cancelled(order_id, stock, 3, reason="payment_declined")

    # when
    deliver(envelope)
    deliver(envelope)

    # then
    assert numbers(stock) == (10, 0)
    assert [event["reason"] for event in published_data("inventory.released")] == ["order_cancelled"]


def test_order_cancelled_after_confirmation_restocks_once(stock_on_hand):
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    deliver(order_created(order_id, stock, 3))
    deliver(order_event("order.confirmed", order_id, stock, 3))
    envelope = order_cancelled(order_id, stock, 3, previous_status="confirmed")

    deliver(envelope)
    deliver(envelope)

    assert numbers(stock) == (10, 0)
    assert published_data("inventory.restocked") == [
        {
            "order_id": str(order_id),
            "items": [{"variant_id": str(stock.variant_id), "quantity": 3}],
            "reason": "order_cancelled",
        }
    ]
    assert published_data("inventory.released") == []


def test_order_cancelled_before_order_created_ends_with_nothing_reserved(stock_on_hand):
    # given: the events arrive out of order
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()

    # when
    deliver(order_cancelled(order_id, stock, 3))
    deliver(order_created(order_id, stock, 3))

    # then: the same state as created-then-cancelled, with no reservation to undo
    assert numbers(stock) == (10, 0)
    assert Reservation.objects.filter(order_id=order_id).exists() is False
    assert published_data("inventory.reserved") == []
    # The cancellation is answered all the same (the order's saga waits for it): nothing released.
    assert published_data("inventory.released") == [
        {"order_id": str(order_id), "items": [], "reason": "order_cancelled"}
    ]


def test_order_cancelled_for_out_of_stock_records_nothing(stock_on_hand):
    # given
    stock = stock_on_hand(1)
    order_id = uuid.uuid4()
    deliver(order_created(order_id, stock, 3))

    # when
    deliver(order_cancelled(order_id, stock, 3, reason="out_of_stock"))

    # then
    assert numbers(stock) == (1, 0)
    assert StockMovement.objects.exclude(kind="adjustment").count() == 0
    assert len(published_data("inventory.reservation_failed")) == 1
    # Nothing to give back, and the cancellation is answered all the same (the saga waits for it).
    assert published_data("inventory.released") == [
        {"order_id": str(order_id), "items": [], "reason": "order_cancelled"}
    ]


def test_a_received_return_delivered_twice_restocks_its_units_once_with_the_reason(stock_on_hand):
    # given: 3 sold
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    deliver(order_created(order_id, stock, 3))
    deliver(order_event("order.confirmed", order_id, stock, 3))
    envelope = order_event(
        "order.return_received", order_id, stock, 2, return_id=str(uuid.uuid4()), amount="19.98", reason="chipped"
    )

    # when
    deliver(envelope)
    deliver(envelope)

    # then
    assert numbers(stock) == (9, 0)
    assert StockMovement.objects.filter(kind="restock").values_list("on_hand_delta", "reason", "order_id").get() == (
        2,
        "returned: chipped",
        order_id,
    )


def test_a_confirmed_orders_reservation_never_lapses_while_its_commit_is_retried(stock_on_hand, monkeypatch):
    """order.confirmed whose commit fails (a deadlock, a bug being fixed) and is retried: the
    safety expiry must not hand the paid units to someone else meanwhile."""
    from datetime import timedelta

    from django.utils import timezone

    from ecom_common.events.handling import handler_run
    from stock import services

    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    deliver(order_created(order_id, stock, 3))
    confirmed = order_event("order.confirmed", order_id, stock, 3)

    def commit_fails(**kwargs):
        raise RuntimeError("the commit fails this time")

    monkeypatch.setattr(services, "reservation_commit_for_order", commit_fails)
    with pytest.raises(RuntimeError):
        handler_run(handler_name="stock.handlers.reservation_commit_on_order_confirmed", envelope=confirmed)
    handler_run(handler_name="stock.handlers.order_confirmation_record_on_order_confirmed", envelope=confirmed)
    Reservation.objects.filter(order_id=order_id).update(expires_at=timezone.now() - timedelta(days=1))

    expired = services.reservation_expire_overdue()

    assert expired == 0
    assert Reservation.objects.get(order_id=order_id).status == "held"
    assert numbers(stock) == (10, 3)
    assert published_data("inventory.released") == []
    monkeypatch.undo()
    deliver(confirmed)  # the retry
    assert numbers(stock) == (7, 0)
