"""What must hold across the services' databases once the platform is quiet, whatever happened.

Read as the superuser through ``stack.sql`` (the tests' view; no service reads another's tables).
Each check returns the rows that break it, so a failure names the orders or products at fault.
"""

from system_tests.stack import SERVICES, wait_until

# Every paid order (confirmed and after): exactly one captured payment, each line's stock committed.
PAID = "('confirmed', 'shipped', 'delivered', 'returned')"
CONFIRMED_WITHOUT_ONE_SUCCEEDED_PAYMENT = f"""
    SELECT o.id, o.status, count(p.id) FILTER (WHERE p.status IN ('succeeded', 'partially_refunded', 'refunded'))
    FROM "order".orders_order o LEFT JOIN payment.payments_payment p ON p.order_id = o.id
    WHERE o.status IN {PAID} GROUP BY o.id
    HAVING count(p.id) FILTER (WHERE p.status IN ('succeeded', 'partially_refunded', 'refunded')) <> 1
"""
CONFIRMED_LINE_NOT_COMMITTED = f"""
    SELECT l.order_id, o.status, l.variant_id, l.quantity, r.quantity, r.status
    FROM "order".orders_orderline l JOIN "order".orders_order o ON o.id = l.order_id
    LEFT JOIN inventory.stock_reservation r ON r.order_id = l.order_id AND r.variant_id = l.variant_id
    WHERE o.status IN {PAID} AND (r.id IS NULL OR r.status <> 'committed' OR r.quantity <> l.quantity)
"""
# Money given back is the same in every book: the order's refunded_total, the payment's
# refunded_amount, the sum of its refunds, and (for returns) the refunded returns' amounts.
REFUNDS_THAT_DISAGREE = """
    SELECT o.id, o.refunded_total, p.refunded_amount, coalesce(r.total, 0), coalesce(x.total, 0)
    FROM "order".orders_order o JOIN payment.payments_payment p ON p.order_id = o.id
    LEFT JOIN (SELECT payment_id, sum(amount) AS total FROM payment.payments_refund
               WHERE status = 'succeeded' GROUP BY payment_id) r
        ON r.payment_id = p.id
    LEFT JOIN (SELECT order_id, sum(refund_amount) AS total FROM "order".orders_orderreturn
               WHERE status = 'refunded' GROUP BY order_id) x ON x.order_id = o.id
    WHERE o.refunded_total <> p.refunded_amount OR p.refunded_amount <> coalesce(r.total, 0)
       OR (o.status <> 'cancelled' AND o.refunded_total <> coalesce(x.total, 0))
"""
RETURNED_ORDER_NOT_FULLY_REFUNDED = """
    SELECT o.id, o.total, o.refunded_total FROM "order".orders_order o
    WHERE o.status = 'returned' AND o.refunded_total <> o.total
"""
# Every cancelled order: nothing held for it, and no payment that kept the customer's money.
CANCELLED_WITH_HELD_RESERVATION = """
    SELECT r.order_id, r.variant_id, r.quantity
    FROM inventory.stock_reservation r JOIN "order".orders_order o ON o.id = r.order_id
    WHERE o.status = 'cancelled' AND r.status = 'held'
"""
CANCELLED_WITH_UNREFUNDED_PAYMENT = """
    SELECT p.order_id, p.status FROM payment.payments_payment p JOIN "order".orders_order o ON o.id = p.order_id
    WHERE o.status = 'cancelled' AND p.status NOT IN ('failed', 'refunded', 'voided')
"""
# No charge twice: at most one approved provider charge per order.
ORDER_CHARGED_MORE_THAN_ONCE = """
    SELECT p.order_id, count(*) FROM payment.payments_sandboxcharge c
    JOIN payment.payments_payment p ON c.idempotency_key = p.id::text
    WHERE c.is_approved GROUP BY p.order_id HAVING count(*) > 1
"""
RESERVATION_OF_UNKNOWN_ORDER = """
    SELECT r.id, r.order_id FROM inventory.stock_reservation r
    WHERE NOT EXISTS (SELECT 1 FROM "order".orders_order o WHERE o.id = r.order_id)
"""
PAYMENT_OF_UNKNOWN_ORDER = """
    SELECT p.id, p.order_id FROM payment.payments_payment p
    WHERE NOT EXISTS (SELECT 1 FROM "order".orders_order o WHERE o.id = p.order_id)
"""
# Stock is the sum of its movements, and never negative.
STOCK_NOT_SUM_OF_MOVEMENTS = """
    SELECT s.variant_id, s.on_hand, s.reserved, coalesce(m.on_hand, 0), coalesce(m.reserved, 0)
    FROM inventory.stock_stock s LEFT JOIN (
        SELECT variant_id, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved
        FROM inventory.stock_stockmovement GROUP BY variant_id) m ON m.variant_id = s.variant_id
    WHERE s.on_hand <> coalesce(m.on_hand, 0) OR s.reserved <> coalesce(m.reserved, 0)
       OR s.on_hand < 0 OR s.reserved < 0 OR s.reserved > s.on_hand
"""
# Per warehouse too: each warehouse's stock is the sum of its movements, the totals the sum of the
# warehouses, and a reservation's allocations add up to it.
WAREHOUSE_STOCK_NOT_SUM_OF_MOVEMENTS = """
    SELECT s.variant_id, s.warehouse_id, s.on_hand, s.reserved, coalesce(m.on_hand, 0), coalesce(m.reserved, 0)
    FROM inventory.stock_warehousestock s LEFT JOIN (
        SELECT variant_id, warehouse_id, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved
        FROM inventory.stock_stockmovement GROUP BY variant_id, warehouse_id) m
        ON m.variant_id = s.variant_id AND m.warehouse_id = s.warehouse_id
    WHERE s.on_hand <> coalesce(m.on_hand, 0) OR s.reserved <> coalesce(m.reserved, 0) OR s.reserved > s.on_hand
"""
STOCK_NOT_SUM_OF_WAREHOUSES = """
    SELECT s.variant_id, s.on_hand, s.reserved, coalesce(w.on_hand, 0), coalesce(w.reserved, 0)
    FROM inventory.stock_stock s LEFT JOIN (
        SELECT variant_id, sum(on_hand) AS on_hand, sum(reserved) AS reserved
        FROM inventory.stock_warehousestock GROUP BY variant_id) w ON w.variant_id = s.variant_id
    WHERE s.on_hand <> coalesce(w.on_hand, 0) OR s.reserved <> coalesce(w.reserved, 0)
"""
RESERVATION_NOT_SUM_OF_ALLOCATIONS = """
    SELECT r.id, r.quantity, coalesce(sum(a.quantity), 0) FROM inventory.stock_reservation r
    LEFT JOIN inventory.stock_reservationallocation a ON a.reservation_id = r.id
    GROUP BY r.id HAVING r.quantity <> coalesce(sum(a.quantity), 0)
"""
WAREHOUSE_RESERVED_NOT_SUM_OF_HELD_ALLOCATIONS = """
    SELECT s.variant_id, s.warehouse_id, s.reserved, coalesce(h.quantity, 0)
    FROM inventory.stock_warehousestock s LEFT JOIN (
        SELECT r.variant_id, a.warehouse_id, sum(a.quantity) AS quantity
        FROM inventory.stock_reservationallocation a JOIN inventory.stock_reservation r ON r.id = a.reservation_id
        WHERE r.status = 'held' GROUP BY r.variant_id, a.warehouse_id) h
        ON h.variant_id = s.variant_id AND h.warehouse_id = s.warehouse_id
    WHERE s.reserved <> coalesce(h.quantity, 0)
"""
# What is held is what the held reservations add up to.
RESERVED_NOT_SUM_OF_HELD_RESERVATIONS = """
    SELECT s.variant_id, s.reserved, coalesce(h.quantity, 0) FROM inventory.stock_stock s LEFT JOIN (
        SELECT variant_id, sum(quantity) AS quantity FROM inventory.stock_reservation
        WHERE status = 'held' GROUP BY variant_id) h ON h.variant_id = s.variant_id
    WHERE s.reserved <> coalesce(h.quantity, 0)
"""
# The card token lives in payment_service only: no published event keeps it in an outbox, and
# a saga holds it only while it waits for stock.
SCRUBBED = "[scrubbed once published]"  # ecom_common.events.relay.SCRUBBED
SECRET_FIELDS = ["payment_token", "token"]  # settings.EVENT_SECRET_FIELDS: the card's, the account links'
TOKEN_KEPT_IN_AN_OUTBOX = " UNION ALL ".join(
    f"""SELECT '{service}', id, type FROM "{service}".ecom_common_outboxevent
        WHERE published_at IS NOT NULL AND envelope->'data' ? '{field}'
          AND envelope->'data'->>'{field}' <> '{SCRUBBED}'"""
    for service in SERVICES
    for field in SECRET_FIELDS
)
TOKEN_KEPT_BY_A_SAGA = """
    SELECT order_id, state FROM "order".orders_checkoutsaga WHERE payment_token <> '' AND state <> 'awaiting_stock'
"""

CHECKS = {
    "paid order without exactly one captured payment": CONFIRMED_WITHOUT_ONE_SUCCEEDED_PAYMENT,
    "paid order line without its committed reservation": CONFIRMED_LINE_NOT_COMMITTED,
    "refunds that disagree between order, payment and returns": REFUNDS_THAT_DISAGREE,
    "returned order not refunded in full": RETURNED_ORDER_NOT_FULLY_REFUNDED,
    "cancelled order with a held reservation": CANCELLED_WITH_HELD_RESERVATION,
    "cancelled order with an unrefunded payment": CANCELLED_WITH_UNREFUNDED_PAYMENT,
    "order charged more than once": ORDER_CHARGED_MORE_THAN_ONCE,
    "reservation of an unknown order": RESERVATION_OF_UNKNOWN_ORDER,
    "payment of an unknown order": PAYMENT_OF_UNKNOWN_ORDER,
    "stock that is not the sum of its movements": STOCK_NOT_SUM_OF_MOVEMENTS,
    "reserved stock that is not the sum of held reservations": RESERVED_NOT_SUM_OF_HELD_RESERVATIONS,
    "warehouse stock that is not the sum of its movements": WAREHOUSE_STOCK_NOT_SUM_OF_MOVEMENTS,
    "stock that is not the sum of its warehouses": STOCK_NOT_SUM_OF_WAREHOUSES,
    "reservation that is not the sum of its allocations": RESERVATION_NOT_SUM_OF_ALLOCATIONS,
    "warehouse reserved that is not the sum of held allocations": WAREHOUSE_RESERVED_NOT_SUM_OF_HELD_ALLOCATIONS,
    "secret (card or account-link token) kept in a published event's outbox row": TOKEN_KEPT_IN_AN_OUTBOX,
    "payment token kept by a saga past its stock step": TOKEN_KEPT_BY_A_SAGA,
}


def violations(stack) -> dict:
    """Every invariant that does not hold now, with the rows breaking it."""
    found = {}
    for name, query in CHECKS.items():
        rows = stack.sql(query)
        if rows:
            found[name] = rows
    return found


def unpublished_events(stack) -> dict:
    """Outbox rows of each service not yet on the broker."""
    counts = {
        service: stack.sql(f'SELECT count(*) FROM "{service}".ecom_common_outboxevent WHERE published_at IS NULL')[0][
            0
        ]
        for service in SERVICES
    }
    return {service: count for service, count in counts.items() if count}


def assert_invariants(stack, *, timeout: float = 90, settle: float = 30) -> None:
    """Waits for the platform to settle (no saga pending, every outbox published), then asserts
    every invariant; compensations run after an order's final status, so they get ``settle``
    seconds more."""
    wait_until(
        lambda: not stack.sql("SELECT 1 FROM \"order\".orders_order WHERE status = 'pending' LIMIT 1"),
        timeout=timeout,
        message="every saga to reach a final status",
    )
    wait_until(lambda: not unpublished_events(stack), timeout=timeout, message="every outbox to be published")
    try:
        wait_until(lambda: not violations(stack), timeout=settle, message="the invariants to hold")
    except AssertionError:
        found = violations(stack)
        assert found == {}, f"invariants broken: {found}"
