"""The checkout saga across real processes: each outcome, with stock and payments exactly right."""

import pytest

from system_tests.stack import wait_until

pytestmark = pytest.mark.slow


def _no_charge_kept(payments):
    """No money kept: nothing succeeded that was not refunded."""
    return all(payment["status"] != "succeeded" for payment in payments)


def test_happy_path_confirms_charges_once_and_commits_stock(shop, customer):
    product = shop.product(price="25.00", stock=10)

    order = shop.place(customer, product, quantity=2, token="tok_visa")
    final = shop.final_order(customer, order["id"])

    assert (order["status"], order["total"]) == ("pending", "50.00")
    assert (final["status"], final["cancel_reason"]) == ("confirmed", None)
    assert [entry["status"] for entry in final["status_history"]] == ["pending", "confirmed"]
    [payment] = shop.settled_payments(customer, order["id"], {"succeeded"})
    assert (payment["amount"], payment["currency"]) == ("50.00", "USD")
    assert shop.wait_stock(product, on_hand=8, reserved=0)["available"] == 8


def test_declined_card_cancels_and_returns_the_stock(shop, customer):
    product = shop.product(stock=10)

    order = shop.place(customer, product, quantity=3, token="tok_chargeDeclined")
    final = shop.final_order(customer, order["id"])

    assert (final["status"], final["cancel_reason"]) == ("cancelled", "payment_declined")
    [payment] = shop.settled_payments(customer, order["id"], {"failed"})
    assert payment["status"] == "failed"
    assert shop.wait_stock(product, on_hand=10, reserved=0)["available"] == 10


def test_out_of_stock_cancels_without_charging(shop, customer):
    product = shop.product(stock=2)

    order = shop.place(customer, product, quantity=3)
    final = shop.final_order(customer, order["id"])

    assert (final["status"], final["cancel_reason"]) == ("cancelled", "out_of_stock")
    assert _no_charge_kept(shop.payments(customer, order["id"]))
    assert shop.wait_stock(product, on_hand=2, reserved=0)["available"] == 2


def test_processing_errors_are_retried_then_declined(shop, customer):
    product = shop.product(stock=5)

    order = shop.place(customer, product, token="tok_processingError")
    final = shop.final_order(customer, order["id"], timeout=120)

    assert (final["status"], final["cancel_reason"]) == ("cancelled", "payment_declined")
    assert shop.wait_stock(product, on_hand=5, reserved=0)["available"] == 5


def test_customer_cancel_after_confirm_refunds_and_restocks(stack, shop, customer):
    product = shop.product(price="10.00", stock=4)
    order = shop.place(customer, product, quantity=4)
    assert shop.final_order(customer, order["id"])["status"] == "confirmed"
    shop.wait_stock(product, on_hand=0, reserved=0)

    response = shop.cancel(customer, order["id"])

    assert response.status_code == 200
    assert response.json()["refund_status"] == "pending"
    final = shop.order(customer, order["id"])
    assert (final["status"], final["cancel_reason"]) == ("cancelled", "customer_request")
    [payment] = shop.settled_payments(customer, order["id"], {"refunded"})
    assert payment["amount"] == "40.00"
    assert shop.wait_stock(product, on_hand=4, reserved=0)["available"] == 4
    # The orchestrator heard back from both: the units restocked and the money refunded.
    refunded = wait_until(
        lambda: (o := shop.order(customer, order["id"]))["refund_status"] == "refunded" and o, message="the refund"
    )
    assert (refunded["refunded_total"], _saga_state(stack, order["id"])) == ("40.00", "compensated")


def test_a_declined_order_is_compensated_with_nothing_to_refund(stack, shop, customer):
    product = shop.product(stock=3)
    order = shop.place(customer, product, quantity=1, token="tok_chargeDeclined")
    assert shop.final_order(customer, order["id"])["status"] == "cancelled"

    wait_until(lambda: _saga_state(stack, order["id"]) == "compensated", message="both answers to the cancellation")
    assert shop.order(customer, order["id"])["refund_status"] == "none"


def _saga_state(stack, order_id: str) -> str:
    return stack.sql('SELECT state FROM "order".orders_checkoutsaga WHERE order_id = %s', [order_id])[0][0]
