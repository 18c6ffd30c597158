"""Stock in several warehouses: where a reservation takes units, where they go back, staff
adjustments and transfers per warehouse, and every invariant per warehouse and in total."""

import random
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from ecom_common.errors import ConflictError
from ecom_common.testing.concurrency import race
from ecom_common.testing.events import published_data
from stock import services, warehouses
from stock.models import Reservation, ReservationAllocation, Stock, StockMovement, Warehouse, WarehouseStock

pytestmark = pytest.mark.django_db

ACTOR = "event:test"


@pytest.fixture
def east():
    return warehouses.warehouse_create(code="east", name="East", country="US", priority=10)


@pytest.fixture
def west():
    return warehouses.warehouse_create(code="west", name="West", country="US", priority=20)


def stocked(**on_hand: int) -> uuid.UUID:
    """A variant with ``on_hand`` units in each named warehouse (``stocked(east=3, west=5)``)."""
    variant_id = uuid.uuid4()
    for code, units in on_hand.items():
        if units:
            services.stock_adjust(variant_id=variant_id, delta=units, warehouse=code, reason="delivery", actor="staff")
    return variant_id


def reserve(order_id, variant_id, quantity):
    items = [{"variant_id": str(variant_id), "quantity": quantity}]
    return services.stock_reserve_for_order(order_id=order_id, items=items, actor=ACTOR)


def where(variant_id) -> dict[str, tuple[int, int]]:
    """``{warehouse code: (on_hand, reserved)}`` of the variant."""
    rows = WarehouseStock.objects.filter(variant_id=variant_id).select_related("warehouse")
    return {row.warehouse.code: (row.on_hand, row.reserved) for row in rows}


def totals(variant_id) -> tuple[int, int]:
    stock = Stock.objects.get(variant_id=variant_id)
    return stock.on_hand, stock.reserved


def allocations(order_id) -> dict[str, tuple[int, int]]:
    rows = ReservationAllocation.objects.filter(reservation__order_id=order_id).select_related("warehouse")
    return {row.warehouse.code: (row.quantity, row.restocked) for row in rows}


def assert_ledger_consistent(variant_id):
    """Each warehouse row is the sum of its movements; the totals are the sum of the warehouses;
    what is reserved in a warehouse is what the held reservations took from it."""
    for row in WarehouseStock.objects.filter(variant_id=variant_id):
        moved = StockMovement.objects.filter(variant_id=variant_id, warehouse_id=row.warehouse_id).aggregate(
            on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta")
        )
        held = ReservationAllocation.objects.filter(
            reservation__variant_id=variant_id, reservation__status="held", warehouse_id=row.warehouse_id
        ).aggregate(quantity=Sum("quantity"))
        assert (moved["on_hand"] or 0, moved["reserved"] or 0) == (row.on_hand, row.reserved), row.warehouse_id
        assert (held["quantity"] or 0) == row.reserved, row.warehouse_id
    parts = WarehouseStock.objects.filter(variant_id=variant_id).aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved")
    )
    assert (parts["on_hand"] or 0, parts["reserved"] or 0) == totals(variant_id)
    for reservation in Reservation.objects.filter(variant_id=variant_id):
        taken = reservation.allocations.aggregate(quantity=Sum("quantity"))["quantity"]
        assert taken == reservation.quantity, reservation


# ---------------------------------------------------------------------------
# Allocation
# ---------------------------------------------------------------------------
def test_a_reservation_takes_from_warehouses_in_priority_order_and_splits(east, west):
    # given: 3 in the first warehouse, 5 in the second
    variant_id = stocked(west=5, east=3)
    order_id = uuid.uuid4()

    # when
    [reservation] = reserve(order_id, variant_id, 5)

    # then: all 3 of east, then 2 of west
    assert reservation.quantity == 5
    assert allocations(order_id) == {"east": (3, 0), "west": (2, 0)}
    assert where(variant_id) == {"east": (3, 3), "west": (5, 2)}
    assert totals(variant_id) == (8, 5)
    assert published_data("inventory.reserved")[0]["items"] == [{"variant_id": str(variant_id), "quantity": 5}]
    movements = StockMovement.objects.filter(variant_id=variant_id, kind="reservation")
    assert sorted((m.warehouse.code, m.reserved_delta, m.order_id) for m in movements) == [
        ("east", 3, order_id),
        ("west", 2, order_id),
    ]
    assert_ledger_consistent(variant_id)


def test_priority_is_the_staffs_to_change(east, west):
    variant_id = stocked(east=3, west=5)
    warehouses.warehouse_update(warehouse=west, data={"priority": 1})
    order_id = uuid.uuid4()

    reserve(order_id, variant_id, 4)

    assert allocations(order_id) == {"west": (4, 0)}


def test_an_inactive_warehouse_is_not_reserved_from(east, west):
    # given: 2 in east, 6 in west, west switched off
    variant_id = stocked(east=2, west=6)
    warehouses.warehouse_update(warehouse=west, data={"is_active": False})

    # when: 3 wanted
    reservations = reserve(uuid.uuid4(), variant_id, 3)

    # then: only what active warehouses have counts
    assert reservations == []
    [failed] = published_data("inventory.reservation_failed")
    assert failed["items"] == [{"variant_id": str(variant_id), "requested": 3, "available": 2}]
    assert where(variant_id) == {"east": (2, 0), "west": (6, 0)}


def test_commit_takes_the_units_from_the_warehouses_they_were_held_in(east, west):
    variant_id = stocked(east=3, west=5)
    order_id = uuid.uuid4()
    reserve(order_id, variant_id, 5)

    services.reservation_commit_for_order(order_id=order_id, actor=ACTOR)

    assert where(variant_id) == {"east": (0, 0), "west": (3, 0)}
    assert totals(variant_id) == (3, 0)
    assert_ledger_consistent(variant_id)


def test_release_and_expiry_return_held_units_to_their_warehouses(east, west):
    variant_id = stocked(east=3, west=5)
    cancelled, lapsed = uuid.uuid4(), uuid.uuid4()
    reserve(cancelled, variant_id, 4)  # east 3, west 1
    reserve(lapsed, variant_id, 2)  # west 2

    services.reservation_release_for_order(order_id=cancelled, reason="customer", actor=ACTOR)
    services.reservation_expire_overdue(now=timezone.now() + timedelta(days=2))

    assert where(variant_id) == {"east": (3, 0), "west": (5, 0)}
    assert_ledger_consistent(variant_id)


def test_a_cancel_after_commit_restocks_the_warehouses_the_units_left(east, west):
    variant_id = stocked(east=3, west=5)
    order_id = uuid.uuid4()
    reserve(order_id, variant_id, 5)
    services.reservation_commit_for_order(order_id=order_id, actor=ACTOR)

    services.reservation_release_for_order(order_id=order_id, reason="lost parcel", actor=ACTOR)

    assert where(variant_id) == {"east": (3, 0), "west": (5, 0)}
    assert allocations(order_id) == {"east": (3, 3), "west": (2, 2)}
    assert_ledger_consistent(variant_id)


def test_returns_go_back_where_the_units_came_from_counting_earlier_returns(east, west):
    # given: 5 sold, 3 from east and 2 from west
    variant_id = stocked(east=3, west=5)
    order_id = uuid.uuid4()
    reserve(order_id, variant_id, 5)
    services.reservation_commit_for_order(order_id=order_id, actor=ACTOR)
    line = [{"variant_id": str(variant_id), "quantity": 2}]

    # when: two returns of 2 units each
    services.stock_restock_for_return(order_id=order_id, items=line, reason="too small", actor="event:1")
    services.stock_restock_for_return(order_id=order_id, items=line, reason="too big", actor="event:2")

    # then: the first fills east up to what it gave, the rest goes to west
    assert allocations(order_id) == {"east": (3, 3), "west": (2, 1)}
    assert where(variant_id) == {"east": (3, 0), "west": (4, 0)}
    restocks = StockMovement.objects.filter(variant_id=variant_id, kind="restock").order_by("created_at")
    assert [(m.warehouse.code, m.on_hand_delta, m.reason) for m in restocks] == [
        ("east", 2, "returned: too small"),
        ("east", 1, "returned: too big"),
        ("west", 1, "returned: too big"),
    ]
    assert_ledger_consistent(variant_id)


def test_a_lapsed_reservation_commits_from_wherever_the_units_are_now(east, west):
    # given: held in east, lapsed, and east's units moved to west meanwhile
    variant_id = stocked(east=2, west=1)
    order_id = uuid.uuid4()
    reserve(order_id, variant_id, 2)
    services.reservation_expire_overdue(now=timezone.now() + timedelta(days=2))
    services.stock_transfer(
        variant_id=variant_id, source="east", destination="west", quantity=1, reason="rebalance", actor="staff"
    )

    # when
    services.reservation_commit_for_order(order_id=order_id, actor=ACTOR)

    # then: east's last unit and one of west's
    assert allocations(order_id) == {"east": (1, 0), "west": (1, 0)}
    assert where(variant_id) == {"east": (0, 0), "west": (1, 0)}
    assert_ledger_consistent(variant_id)


# ---------------------------------------------------------------------------
# Staff: adjustments and transfers per warehouse
# ---------------------------------------------------------------------------
def test_an_adjustment_names_its_warehouse_or_goes_to_the_first_active_one(east, west):
    variant_id = uuid.uuid4()

    services.stock_adjust(variant_id=variant_id, delta=4, warehouse="west", reason="delivery", actor="staff")
    services.stock_adjust(variant_id=variant_id, delta=3, reason="delivery", actor="staff")

    assert where(variant_id) == {"east": (3, 0), "west": (4, 0)}
    assert totals(variant_id) == (7, 0)


def test_removing_more_than_a_warehouse_has_free_is_refused_even_if_another_has_it(east, west):
    variant_id = stocked(east=2, west=9)

    with pytest.raises(ValidationError) as error:
        services.stock_adjust(variant_id=variant_id, delta=-3, warehouse="east", reason="broken", actor="staff")

    assert error.value.message_dict == {"delta": ["Not enough stock in east: 2 available, 2 on hand."]}
    assert where(variant_id) == {"east": (2, 0), "west": (9, 0)}


def test_an_unknown_warehouse_is_refused_and_nothing_is_written(east):
    variant_id = uuid.uuid4()

    with pytest.raises(ValidationError) as error:
        services.stock_adjust(variant_id=variant_id, delta=3, warehouse="north", reason="", actor="staff")

    assert error.value.message_dict == {"warehouse": ["There is no warehouse north."]}
    assert not Stock.objects.filter(variant_id=variant_id).exists()


def test_with_no_warehouse_at_all_the_default_one_is_made(db):
    assert not Warehouse.objects.exists()

    services.stock_adjust(variant_id=uuid.uuid4(), delta=1, reason="", actor="staff")

    assert list(Warehouse.objects.values_list("code", "name", "country")) == [("main", "Main warehouse", "US")]


def test_with_every_warehouse_inactive_an_adjustment_must_name_one(east):
    warehouses.warehouse_update(warehouse=east, data={"is_active": False})

    with pytest.raises(ValidationError) as error:
        services.stock_adjust(variant_id=uuid.uuid4(), delta=1, reason="", actor="staff")

    assert error.value.message_dict == {"warehouse": ["No warehouse is active: name one, or activate one."]}


def test_a_transfer_moves_available_units_as_one_movement_pair(east, west):
    # given: 5 in east, 2 of them held
    variant_id = stocked(east=5)
    reserve(uuid.uuid4(), variant_id, 2)

    # when
    stock = services.stock_transfer(
        variant_id=variant_id, source="east", destination="west", quantity=3, reason="rebalance", actor="staff-1"
    )

    # then: the held units stay in east
    assert (stock.on_hand, stock.reserved) == (5, 2)
    assert where(variant_id) == {"east": (2, 2), "west": (3, 0)}
    pair = StockMovement.objects.filter(variant_id=variant_id, kind="transfer")
    assert sorted((m.warehouse.code, m.on_hand_delta, m.reason, m.actor) for m in pair) == [
        ("east", -3, "rebalance", "staff-1"),
        ("west", 3, "rebalance", "staff-1"),
    ]
    assert len({m.transfer_id for m in pair}) == 1 and pair[0].transfer_id is not None
    assert_ledger_consistent(variant_id)


@pytest.mark.parametrize(
    ("source", "destination", "quantity", "errors"),
    [
        ("east", "west", 4, {"quantity": ["Not enough stock in east: 3 available, 3 on hand."]}),
        ("east", "east", 1, {"to_warehouse": ["A transfer goes to another warehouse."]}),
        ("north", "west", 1, {"from_warehouse": ["There is no warehouse north."]}),
        ("east", "south", 1, {"to_warehouse": ["There is no warehouse south."]}),
        ("east", "west", 0, {"quantity": ["A transfer moves at least one unit."]}),
    ],
)
def test_a_refused_transfer_changes_nothing(east, west, source, destination, quantity, errors):
    variant_id = stocked(east=3)

    with pytest.raises(ValidationError) as error:
        services.stock_transfer(
            variant_id=variant_id, source=source, destination=destination, quantity=quantity, reason="", actor="s"
        )

    assert error.value.message_dict == errors
    assert where(variant_id) == {"east": (3, 0)}
    assert not StockMovement.objects.filter(kind="transfer").exists()


def test_a_retried_transfer_moves_once_and_a_reused_key_is_a_conflict(east, west):
    variant_id = stocked(east=6)
    key = str(uuid.uuid4())
    move = {"variant_id": variant_id, "source": "east", "destination": "west", "reason": "", "actor": "s"}

    services.stock_transfer(**move, quantity=2, idempotency_key=key)
    services.stock_transfer(**move, quantity=2, idempotency_key=key)
    with pytest.raises(ConflictError):
        services.stock_transfer(**move, quantity=3, idempotency_key=key)
    with pytest.raises(ConflictError):
        services.stock_adjust(
            variant_id=variant_id, delta=-2, warehouse="east", reason="", actor="s", idempotency_key=key
        )

    assert where(variant_id) == {"east": (4, 0), "west": (2, 0)}


# ---------------------------------------------------------------------------
# Warehouses
# ---------------------------------------------------------------------------
def test_a_warehouse_stock_went_through_cannot_be_deleted(east, west):
    stocked(east=1)

    with pytest.raises(ConflictError):
        warehouses.warehouse_delete(warehouse=east)
    warehouses.warehouse_delete(warehouse=west)

    assert list(Warehouse.objects.values_list("code", flat=True)) == ["east"]


# ---------------------------------------------------------------------------
# Under concurrency
# ---------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_an_oversell_storm_across_two_warehouses_takes_exactly_what_both_have():
    # given: 3 in east and 4 in west; 30 concurrent orders of one or two units
    warehouses.warehouse_create(code="east", name="East", country="US", priority=10)
    warehouses.warehouse_create(code="west", name="West", country="US", priority=20)
    variant_id = stocked(east=3, west=4)
    quantities = [1, 2] * 15
    errors = []

    def order(quantity):
        try:
            reserve(uuid.uuid4(), variant_id, quantity)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    # when
    race(order, [(quantity,) for quantity in quantities])

    # then: every unit held once, none beyond what is there, in both warehouses
    assert errors == []
    held = Reservation.objects.filter(variant_id=variant_id, status="held").aggregate(units=Sum("quantity"))
    assert held["units"] >= 6  # only a two-unit order can fail while one unit is left
    assert where(variant_id) == {"east": (3, 3), "west": (4, held["units"] - 3)}
    reserved = published_data("inventory.reserved")
    failed = published_data("inventory.reservation_failed")
    assert len(reserved) + len(failed) == 30
    assert_ledger_consistent(variant_id)


@pytest.mark.django_db(transaction=True)
def test_transfers_racing_reservations_never_lose_or_double_a_unit():
    # given: 10 in each warehouse
    warehouses.warehouse_create(code="east", name="East", country="US", priority=10)
    warehouses.warehouse_create(code="west", name="West", country="US", priority=20)
    variant_id = stocked(east=10, west=10)
    jobs = [("transfer", "east", "west")] * 8 + [("transfer", "west", "east")] * 8 + [("reserve", None, None)] * 8
    random.shuffle(jobs)
    outcomes, errors = Counter(), []

    def run(kind, source, destination):
        try:
            if kind == "reserve":
                reserve(uuid.uuid4(), variant_id, 2)
            else:
                services.stock_transfer(
                    variant_id=variant_id, source=source, destination=destination, quantity=3, reason="", actor="s"
                )
            outcomes[kind] += 1
        except ValidationError:
            outcomes["refused"] += 1  # the source had too few free units at that moment
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    # when
    race(run, jobs)

    # then: 20 units in all, every transfer a complete pair, the books agree
    assert errors == []
    assert outcomes["reserve"] == 8
    assert totals(variant_id) == (20, 16)
    assert sum(on_hand for on_hand, _ in where(variant_id).values()) == 20
    pairs = Counter(StockMovement.objects.filter(kind="transfer").values_list("transfer_id", flat=True))
    assert set(pairs.values()) == {2} and len(pairs) == outcomes["transfer"]
    assert_ledger_consistent(variant_id)
