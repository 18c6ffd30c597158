import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from ecom_common.errors import ConflictError
from ecom_common.testing.concurrency import race
from ecom_common.testing.events import published_data
from stock import services
from stock.models import InventoryOrder, Reservation, Stock, StockMovement
from stock.tests.factories import StockFactory

pytestmark = pytest.mark.django_db

ACTOR = "event:test"


def reserve(order_id, *lines):
    items = [{"variant_id": str(stock.variant_id), "quantity": quantity} for stock, quantity in lines]
    return services.stock_reserve_for_order(order_id=order_id, items=items, actor=ACTOR)


def numbers(stock: Stock) -> tuple[int, int, int]:
    stock.refresh_from_db()
    return stock.on_hand, stock.reserved, stock.available


def movements(stock: Stock) -> list[tuple[str, int, int]]:
    rows = StockMovement.objects.filter(variant=stock).order_by("created_at")
    return [(m.kind, m.on_hand_delta, m.reserved_delta) for m in rows]


def movements_add_up(stock: Stock) -> bool:
    stock.refresh_from_db()
    totals = StockMovement.objects.filter(variant=stock).aggregate(
        on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta")
    )
    return (totals["on_hand"] or 0, totals["reserved"] or 0) == (stock.on_hand, stock.reserved)


# ---------------------------------------------------------------------------
# Reserve
# ---------------------------------------------------------------------------
def test_reserve_holds_every_line_and_publishes_reserved(stock_on_hand, settings):
    # given
    settings.INVENTORY_RESERVATION_TTL_SECONDS = 600
    kettle, knife = stock_on_hand(10), stock_on_hand(4)
    order_id = uuid.uuid4()

    # when
    before = timezone.now()
    reservations = reserve(order_id, (kettle, 3), (knife, 4))

    # then
    assert numbers(kettle) == (10, 3, 7)
    assert numbers(knife) == (4, 4, 0)
    held = Reservation.objects.filter(order_id=order_id)
    assert sorted((r.variant_id, r.quantity, r.status) for r in held) == sorted(
        [(kettle.variant_id, 3, "held"), (knife.variant_id, 4, "held")]
    )
    assert movements(kettle) == [("adjustment", 10, 0), ("reservation", 0, 3)]
    assert StockMovement.objects.filter(kind="reservation", order_id=order_id, actor=ACTOR).count() == 2
    [event] = published_data("inventory.reserved")
    expires_at = reservations[0].expires_at
    assert before + timedelta(seconds=600) <= expires_at <= timezone.now() + timedelta(seconds=600)
    assert event == {
        "order_id": str(order_id),
        "items": sorted(
            [
                {"variant_id": str(kettle.variant_id), "quantity": 3},
                {"variant_id": str(knife.variant_id), "quantity": 4},
            ],
            key=lambda item: item["variant_id"],
        ),
        "expires_at": expires_at.isoformat().replace("+00:00", "Z"),
    }
    assert movements_add_up(kettle) and movements_add_up(knife)


def test_reserve_is_all_or_nothing(stock_on_hand):
    # given
    plenty, scarce = stock_on_hand(10), stock_on_hand(2)
    order_id = uuid.uuid4()

    # when
    reservations = reserve(order_id, (plenty, 5), (scarce, 3))

    # then
    assert reservations == []
    assert numbers(plenty) == (10, 0, 10)
    assert numbers(scarce) == (2, 0, 2)
    assert Reservation.objects.count() == 0
    assert StockMovement.objects.exclude(kind="adjustment").count() == 0
    assert published_data("inventory.reserved") == []
    assert published_data("inventory.reservation_failed") == [
        {
            "order_id": str(order_id),
            "reason": "out_of_stock",
            "items": [{"variant_id": str(scarce.variant_id), "requested": 3, "available": 2}],
        }
    ]


def test_reserve_of_a_product_without_stock_record_fails(stock_on_hand):
    # given
    known = stock_on_hand(10)
    unknown_id = uuid.uuid4()
    order_id = uuid.uuid4()

    # when
    services.stock_reserve_for_order(
        order_id=order_id,
        items=[{"variant_id": str(known.variant_id), "quantity": 1}, {"variant_id": str(unknown_id), "quantity": 1}],
        actor=ACTOR,
    )

    # then
    assert numbers(known) == (10, 0, 10)
    assert published_data("inventory.reservation_failed")[0]["items"] == [
        {"variant_id": str(unknown_id), "requested": 1, "available": 0}
    ]


def test_the_same_product_twice_in_an_order_is_one_reservation(stock_on_hand):
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()

    reserve(order_id, (stock, 2), (stock, 3))

    assert list(Reservation.objects.values_list("quantity", flat=True)) == [5]
    assert numbers(stock) == (10, 5, 5)


def test_an_order_already_reserved_is_not_reserved_again(stock_on_hand):
    # given
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    reserve(order_id, (stock, 2))

    # when
    again = reserve(order_id, (stock, 2))

    # then
    assert again == []
    assert numbers(stock) == (10, 2, 8)
    assert len(published_data("inventory.reserved")) == 1


def test_malformed_items_are_a_validation_error(stock_on_hand):
    stock = stock_on_hand(10)

    with pytest.raises(ValidationError):
        services.stock_reserve_for_order(
            order_id=uuid.uuid4(), items=[{"variant_id": str(stock.variant_id), "quantity": 0}], actor=ACTOR
        )

    assert numbers(stock) == (10, 0, 10)


# ---------------------------------------------------------------------------
# Commit, release, restock, expire
# ---------------------------------------------------------------------------
def test_commit_takes_held_units_off_the_shelf(stock_on_hand):
    # given
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    reserve(order_id, (stock, 3))

    # when
    services.reservation_commit_for_order(order_id=order_id, actor=ACTOR)

    # then
    assert numbers(stock) == (7, 0, 7)
    assert Reservation.objects.get(order_id=order_id).status == "committed"
    assert movements(stock) == [("adjustment", 10, 0), ("reservation", 0, 3), ("commit", -3, -3)]
    assert published_data("inventory.committed") == [
        {"order_id": str(order_id), "items": [{"variant_id": str(stock.variant_id), "quantity": 3}]}
    ]
    assert movements_add_up(stock)


def test_commit_twice_commits_once(stock_on_hand):
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    reserve(order_id, (stock, 3))

    services.reservation_commit_for_order(order_id=order_id, actor=ACTOR)
    services.reservation_commit_for_order(order_id=order_id, actor=ACTOR)

    assert numbers(stock) == (7, 0, 7)
    assert len(published_data("inventory.committed")) == 1


def test_release_returns_held_units(stock_on_hand):
    # given
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    reserve(order_id, (stock, 3))

    # when
    services.reservation_release_for_order(order_id=order_id, reason="payment_declined", actor=ACTOR)

    # then
    assert numbers(stock) == (10, 0, 10)
    assert Reservation.objects.get(order_id=order_id).status == "released"
    assert movements(stock) == [("adjustment", 10, 0), ("reservation", 0, 3), ("release", 0, -3)]
    assert StockMovement.objects.get(kind="release").reason == "order cancelled: payment_declined"
    assert published_data("inventory.released") == [
        {
            "order_id": str(order_id),
            "items": [{"variant_id": str(stock.variant_id), "quantity": 3}],
            "reason": "order_cancelled",
        }
    ]
    assert movements_add_up(stock)


def test_release_of_a_committed_order_restocks(stock_on_hand):
    # given
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    reserve(order_id, (stock, 3))
    services.reservation_commit_for_order(order_id=order_id, actor=ACTOR)

    # when
    services.reservation_release_for_order(order_id=order_id, reason="customer_request", actor=ACTOR)

    # then
    assert numbers(stock) == (10, 0, 10)
    assert Reservation.objects.get(order_id=order_id).status == "released"
    assert movements(stock)[-1] == ("restock", 3, 0)
    assert published_data("inventory.restocked") == [
        {
            "order_id": str(order_id),
            "items": [{"variant_id": str(stock.variant_id), "quantity": 3}],
            "reason": "order_cancelled",
        }
    ]
    assert movements_add_up(stock)


def test_release_twice_releases_once(stock_on_hand):
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    reserve(order_id, (stock, 3))

    services.reservation_release_for_order(order_id=order_id, reason="customer_request", actor=ACTOR)
    services.reservation_release_for_order(order_id=order_id, reason="customer_request", actor=ACTOR)

    assert numbers(stock) == (10, 0, 10)
    assert len(published_data("inventory.released")) == 1


def test_cancel_without_reservations_records_nothing_but_blocks_a_later_reservation(stock_on_hand):
    # given: the cancellation arrives first
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    services.reservation_release_for_order(order_id=order_id, reason="customer_request", actor=ACTOR)

    # when
    reservations = reserve(order_id, (stock, 3))

    # then
    assert reservations == []
    assert numbers(stock) == (10, 0, 10)
    assert movements(stock) == [("adjustment", 10, 0)]
    assert published_data("inventory.released") == [
        {"order_id": str(order_id), "items": [], "reason": "order_cancelled"}
    ]  # the answer: nothing held
    assert published_data("inventory.reserved") == []
    assert published_data("inventory.reservation_failed") == []
    assert InventoryOrder.objects.get(order_id=order_id).cancelled_at is not None


def test_expire_releases_overdue_held_reservations_only(stock_on_hand):
    # given
    stock = stock_on_hand(10)
    overdue, fresh, committed = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for order_id in (overdue, fresh, committed):
        reserve(order_id, (stock, 2))
    services.reservation_commit_for_order(order_id=committed, actor=ACTOR)
    past = timezone.now() - timedelta(seconds=1)
    Reservation.objects.filter(order_id__in=[overdue, committed]).update(expires_at=past)

    # when
    expired_orders = services.reservation_expire_overdue()

    # then
    assert expired_orders == 1
    assert numbers(stock) == (8, 2, 6)
    assert dict(Reservation.objects.values_list("order_id", "status")) == {
        overdue: "expired",
        fresh: "held",
        committed: "committed",
    }
    assert StockMovement.objects.filter(kind="expiry").values_list("order_id", "reserved_delta", "actor").get() == (
        overdue,
        -2,
        "system",
    )
    assert published_data("inventory.released") == [
        {
            "order_id": str(overdue),
            "items": [{"variant_id": str(stock.variant_id), "quantity": 2}],
            "reason": "expired",
        }
    ]
    assert services.reservation_expire_overdue() == 0
    assert movements_add_up(stock)


def test_a_paid_order_whose_reservation_lapsed_still_commits_from_what_is_available(stock_on_hand):
    # given: the safety expiry returned the units before order.confirmed arrived
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    reserve(order_id, (stock, 2))
    services.reservation_expire_overdue(now=timezone.now() + timedelta(days=2))

    # when
    services.reservation_commit_for_order(order_id=order_id, actor=ACTOR)
    services.reservation_commit_for_order(order_id=order_id, actor=ACTOR)

    # then: sold once, not sold again to someone else
    assert numbers(stock) == (8, 0, 8)
    assert Reservation.objects.get(order_id=order_id).status == "committed"
    assert movements(stock)[-2:] == [("expiry", 0, -2), ("commit", -2, 0)]
    assert published_data("inventory.committed") == [
        {"order_id": str(order_id), "items": [{"variant_id": str(stock.variant_id), "quantity": 2}]}
    ]
    assert published_data("inventory.commit_failed") == []
    assert movements_add_up(stock)


def test_a_paid_order_whose_lapsed_units_are_gone_gets_commit_failed_and_takes_nothing(stock_on_hand):
    # given: the lapsed units were sold to another order meanwhile
    stock = stock_on_hand(3)
    order_id, other = uuid.uuid4(), uuid.uuid4()
    reserve(order_id, (stock, 2))
    services.reservation_expire_overdue(now=timezone.now() + timedelta(days=2))
    reserve(other, (stock, 2))

    # when
    services.reservation_commit_for_order(order_id=order_id, actor=ACTOR)

    # then
    assert numbers(stock) == (3, 2, 1)
    assert Reservation.objects.get(order_id=order_id).status == "expired"
    assert published_data("inventory.committed") == []
    assert published_data("inventory.commit_failed") == [
        {
            "order_id": str(order_id),
            "reason": "out_of_stock",
            "items": [{"variant_id": str(stock.variant_id), "requested": 2, "available": 1}],
        }
    ]
    assert movements_add_up(stock)


def test_release_after_the_reservation_lapsed_returns_nothing_more(stock_on_hand):
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    reserve(order_id, (stock, 2))
    services.reservation_expire_overdue(now=timezone.now() + timedelta(days=2))

    services.reservation_release_for_order(order_id=order_id, reason="payment_timeout", actor=ACTOR)

    assert numbers(stock) == (10, 0, 10)
    # After the expiry's own, the answer to the cancellation: nothing more to give back.
    assert [(event["reason"], event["items"]) for event in published_data("inventory.released")][1:] == [
        ("order_cancelled", [])
    ]


def test_a_confirmation_after_the_cancellation_commits_nothing(stock_on_hand):
    stock = stock_on_hand(10)
    order_id = uuid.uuid4()
    reserve(order_id, (stock, 2))
    services.reservation_release_for_order(order_id=order_id, reason="customer_request", actor=ACTOR)

    services.reservation_commit_for_order(order_id=order_id, actor=ACTOR)

    assert numbers(stock) == (10, 0, 10)
    assert published_data("inventory.committed") == []


# ---------------------------------------------------------------------------
# Adjust
# ---------------------------------------------------------------------------
def test_adjust_creates_the_stock_record(settings):
    settings.INVENTORY_LOW_STOCK_THRESHOLD = 3
    variant_id = uuid.uuid4()

    stock = services.stock_adjust(variant_id=variant_id, delta=12, reason="delivery", actor="staff-1")

    assert (stock.on_hand, stock.reserved, stock.low_stock_threshold) == (12, 0, 3)
    assert StockMovement.objects.values_list("kind", "on_hand_delta", "reason", "actor").get() == (
        "adjustment",
        12,
        "delivery",
        "staff-1",
    )


def test_adjust_below_what_is_reserved_is_refused(stock_on_hand):
    # given
    stock = stock_on_hand(10)
    reserve(uuid.uuid4(), (stock, 4))

    # when
    with pytest.raises(ValidationError) as error:
        services.stock_adjust(variant_id=stock.variant_id, delta=-7, reason="broken", actor="staff-1")

    # then
    assert error.value.message_dict == {"delta": ["Not enough stock in main: 6 available, 10 on hand."]}
    assert numbers(stock) == (10, 4, 6)
    assert movements_add_up(stock)


def test_adjust_of_an_unknown_product_below_zero_creates_nothing():
    variant_id = uuid.uuid4()

    with pytest.raises(ValidationError):
        services.stock_adjust(variant_id=variant_id, delta=-1, reason="", actor="staff-1")

    assert Stock.objects.filter(variant_id=variant_id).exists() is False


def test_adjust_with_the_same_idempotency_key_applies_once(stock_on_hand):
    stock = stock_on_hand(10)

    first = services.stock_adjust(variant_id=stock.variant_id, delta=5, reason="", actor="s", idempotency_key="k-1")
    second = services.stock_adjust(variant_id=stock.variant_id, delta=5, reason="", actor="s", idempotency_key="k-1")

    assert (first.on_hand, second.on_hand) == (15, 15)
    assert numbers(stock) == (15, 0, 15)
    assert StockMovement.objects.filter(idempotency_key="k-1").count() == 1


def test_an_idempotency_key_reused_for_another_adjustment_is_a_conflict(stock_on_hand):
    stock = stock_on_hand(10)
    services.stock_adjust(variant_id=stock.variant_id, delta=5, reason="", actor="s", idempotency_key="k-1")

    with pytest.raises(ConflictError):
        services.stock_adjust(variant_id=stock.variant_id, delta=6, reason="", actor="s", idempotency_key="k-1")

    assert numbers(stock) == (15, 0, 15)


# ---------------------------------------------------------------------------
# Low stock, invariants
# ---------------------------------------------------------------------------
def test_low_stock_is_published_once_when_available_crosses_the_threshold(stock_on_hand):
    # given: 8 available, threshold 5
    stock = stock_on_hand(8, threshold=5)

    # when: 8 → 6 (above), 6 → 5 (crosses), 5 → 3 (already low), back to 8, then → 4 (crosses again)
    reserve(uuid.uuid4(), (stock, 2))
    reserve(uuid.uuid4(), (stock, 1))
    order_id = uuid.uuid4()
    reserve(order_id, (stock, 2))
    services.reservation_release_for_order(order_id=order_id, reason="customer_request", actor=ACTOR)
    services.stock_adjust(variant_id=stock.variant_id, delta=3, reason="", actor="s")
    services.stock_adjust(variant_id=stock.variant_id, delta=-4, reason="", actor="s")

    # then
    assert published_data("inventory.low_stock") == [
        {"variant_id": str(stock.variant_id), "product_id": str(stock.variant_id), "available": 5, "threshold": 5},
        {"variant_id": str(stock.variant_id), "product_id": str(stock.variant_id), "available": 4, "threshold": 5},
    ]


def test_movements_add_up_to_the_stock_after_a_whole_saga(stock_on_hand):
    stock = stock_on_hand(20)
    confirmed, cancelled, expired, restocked = (uuid.uuid4() for _ in range(4))
    for order_id in (confirmed, cancelled, expired, restocked):
        reserve(order_id, (stock, 2))
    services.reservation_commit_for_order(order_id=confirmed, actor=ACTOR)
    services.reservation_commit_for_order(order_id=restocked, actor=ACTOR)
    services.reservation_release_for_order(order_id=cancelled, reason="payment_declined", actor=ACTOR)
    services.reservation_release_for_order(order_id=restocked, reason="customer_request", actor=ACTOR)
    Reservation.objects.filter(order_id=expired).update(expires_at=timezone.now() - timedelta(seconds=1))
    services.reservation_expire_overdue()
    services.stock_adjust(variant_id=stock.variant_id, delta=-3, reason="damaged", actor="s")

    assert numbers(stock) == (15, 0, 15)
    assert movements_add_up(stock)


def test_the_database_refuses_reserving_more_than_on_hand():
    stock = StockFactory(on_hand=3)

    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(variant_id=stock.variant_id).update(reserved=F("on_hand") + 1)

    assert numbers(stock) == (3, 0, 3)


def test_the_database_refuses_negative_on_hand():
    stock = StockFactory(on_hand=0)

    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(variant_id=stock.variant_id).update(on_hand=F("on_hand") - 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_reservations_never_oversell(stock_on_hand):
    # given: 10 on hand, 20 orders of one unit each racing for it
    stock = stock_on_hand(10)
    errors = []

    def reserve_one():
        try:
            reserve(uuid.uuid4(), (stock, 1))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    # when
    race(reserve_one, [()] * 20)

    # then
    assert errors == []
    assert numbers(stock) == (10, 10, 0)
    assert Reservation.objects.filter(status="held").count() == 10
    assert len(published_data("inventory.reserved")) == 10
    assert len(published_data("inventory.reservation_failed")) == 10
    assert movements_add_up(stock)
