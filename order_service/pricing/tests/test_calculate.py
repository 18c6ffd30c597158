"""The pricing function: table tests of each rule with exact decimals, and properties that hold
for any basket (hypothesis)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.calculate import (
    FIXED,
    FREE_SHIPPING,
    PERCENTAGE,
    PriceLine,
    Rule,
    Shipping,
    Tax,
    cents,
    price_checkout,
)

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
D = Decimal


def line(key, price, quantity=1, *, product=None, categories=(), brand=None):
    return PriceLine(
        key=key,
        product_id=product or f"p-{key}",
        unit_price=D(price),
        quantity=quantity,
        category_slugs=tuple(categories),
        brand_slug=brand,
    )


def rule(kind, value, *, code=None, **scope):
    fields = {name: frozenset(values) for name, values in scope.items() if name.endswith(("_ids", "_slugs"))}
    others = {name: value for name, value in scope.items() if name not in fields}
    return Rule(
        id=code or f"r-{kind}-{value}",
        name=f"{kind} {value}",
        kind=kind,
        value=D(value),
        code=code,
        **fields,
        **others,
    )


def summary(breakdown):
    return (
        breakdown.subtotal,
        breakdown.discount_total,
        breakdown.shipping_total,
        breakdown.tax_total,
        breakdown.total,
    )


# ---------------------------------------------------------------------------
# Each rule, exactly
# ---------------------------------------------------------------------------
def test_without_rules_the_total_is_the_sum_of_the_lines():
    breakdown = price_checkout(lines=[line("a", "19.99", 3), line("b", "0.01")], now=NOW)

    assert summary(breakdown) == (D("59.98"), D("0.00"), D("0.00"), D("0.00"), D("59.98"))
    assert breakdown.discounts == []


def test_a_percentage_promotion_is_rounded_once_and_spread_over_its_lines_to_the_cent():
    # 10% of 33.35 = 3.335 → 3.34 (half up); spread 10.00 : 23.35
    lines = [line("a", "10.00"), line("b", "23.35")]

    breakdown = price_checkout(lines=lines, now=NOW, promotions=[rule(PERCENTAGE, "10")])

    assert summary(breakdown) == (D("33.35"), D("3.34"), D("0.00"), D("0.00"), D("30.01"))
    assert [line.discount for line in breakdown.lines] == [D("1.00"), D("2.34")]


def test_a_fixed_promotion_never_takes_more_than_its_lines_cost():
    breakdown = price_checkout(lines=[line("a", "4.00", 2)], now=NOW, promotions=[rule(FIXED, "25")])

    assert summary(breakdown) == (D("8.00"), D("8.00"), D("0.00"), D("0.00"), D("0.00"))


@pytest.mark.parametrize(
    ("scope", "discounted"),
    [
        ({"product_ids": ["p-tee"]}, ["tee"]),
        ({"category_slugs": ["clothing"]}, ["tee", "hoodie"]),  # the hoodie's ancestor category
        ({"brand_slugs": ["acme"]}, ["hoodie", "kettle"]),
        ({}, ["tee", "hoodie", "kettle"]),
    ],
)
def test_a_promotion_covers_its_products_categories_or_brands(scope, discounted):
    lines = [
        line("tee", "20.00", categories=["clothing"]),
        line("hoodie", "40.00", categories=["hoodies", "clothing"], brand="acme"),
        line("kettle", "30.00", categories=["home"], brand="acme"),
    ]

    breakdown = price_checkout(lines=lines, now=NOW, promotions=[rule(PERCENTAGE, "50", **scope)])

    assert [p.key for p in breakdown.lines if p.discount] == discounted
    assert all(p.discount == p.subtotal / 2 for p in breakdown.lines if p.key in discounted)


def test_the_best_single_promotion_applies_and_ties_go_to_priority():
    lines = [line("a", "100.00")]
    small, big = rule(PERCENTAGE, "5"), rule(FIXED, "20")
    tie_low, tie_high = rule(FIXED, "10", priority=1), rule(PERCENTAGE, "10", priority=5)

    assert price_checkout(lines=lines, now=NOW, promotions=[small, big]).discounts[0].rule_id == big.id
    assert price_checkout(lines=lines, now=NOW, promotions=[tie_low, tie_high]).discounts[0].rule_id == tie_high.id
    assert len(price_checkout(lines=lines, now=NOW, promotions=[small, big]).discounts) == 1


def test_a_promotion_outside_its_window_or_below_its_minimum_does_not_apply():
    lines = [line("a", "50.00")]
    rules = [
        rule(PERCENTAGE, "10", starts_at=NOW + timedelta(seconds=1)),
        rule(PERCENTAGE, "10", ends_at=NOW),  # the end is exclusive
        rule(PERCENTAGE, "10", min_subtotal=D("50.01")),
    ]

    assert price_checkout(lines=lines, now=NOW, promotions=rules).discounts == []


def test_a_voucher_applies_after_the_promotion_to_what_is_left():
    # 20% off 100 → 80; then 10 off → 70
    breakdown = price_checkout(
        lines=[line("a", "100.00")],
        now=NOW,
        promotions=[rule(PERCENTAGE, "20")],
        voucher=rule(FIXED, "10", code="TENOFF"),
    )

    assert [(d.source, d.code, d.amount) for d in breakdown.discounts] == [
        ("promotion", None, D("20.00")),
        ("voucher", "TENOFF", D("10.00")),
    ]
    assert breakdown.total == D("70.00")


@pytest.mark.parametrize(
    ("voucher", "problem"),
    [
        (rule(PERCENTAGE, "10", code="OLD", ends_at=NOW - timedelta(days=1)), "voucher_expired"),
        (rule(PERCENTAGE, "10", code="SOON", starts_at=NOW + timedelta(days=1)), "voucher_expired"),
        (rule(PERCENTAGE, "10", code="BIG", min_subtotal=D("100")), "voucher_invalid"),
        (rule(PERCENTAGE, "10", code="BOOKS", category_slugs=["books"]), "voucher_invalid"),
        (rule(FREE_SHIPPING, "0", code="SHIP"), "voucher_invalid"),  # no shipping to take off
    ],
)
def test_a_voucher_that_does_not_apply_is_left_out_with_its_reason(voucher, problem):
    breakdown = price_checkout(lines=[line("a", "60.00")], now=NOW, voucher=voucher)

    assert (breakdown.voucher_rejection, breakdown.discounts, breakdown.total) == (problem, [], D("60.00"))


def test_shipping_is_charged_free_above_its_threshold_after_discounts_and_a_voucher_can_waive_it():
    express = Shipping(id="x", name="Express", price=D("9.90"), free_above=D("50.00"))
    lines = [line("a", "55.00")]

    over = price_checkout(lines=lines, now=NOW, shipping=express)
    under = price_checkout(lines=lines, now=NOW, shipping=express, promotions=[rule(FIXED, "10")])
    waived = price_checkout(
        lines=lines,
        now=NOW,
        shipping=express,
        promotions=[rule(FIXED, "10")],
        voucher=rule(FREE_SHIPPING, "0", code="SHIP"),
    )

    assert over.shipping_total == D("0.00")
    assert summary(under) == (D("55.00"), D("10.00"), D("9.90"), D("0.00"), D("54.90"))
    assert summary(waived) == (D("55.00"), D("19.90"), D("9.90"), D("0.00"), D("45.00"))


def test_tax_on_top_is_per_line_after_discounts_and_on_shipping():
    # 8.25%: 10.00 → 0.825 → 0.83; 5.55 - 0.55 = 5.00 → 0.4125 → 0.41; shipping 4.99 → 0.41
    lines = [line("a", "10.00"), line("b", "5.55", product="p-b")]
    breakdown = price_checkout(
        lines=lines,
        now=NOW,
        promotions=[rule(FIXED, "0.55", product_ids=["p-b"])],
        shipping=Shipping(id="s", name="Standard", price=D("4.99")),
        tax=Tax(name="Sales tax", rate=D("8.25")),
    )

    assert [line.tax for line in breakdown.lines] == [D("0.83"), D("0.41")]
    assert breakdown.shipping_tax == D("0.41")
    assert summary(breakdown) == (D("15.55"), D("0.55"), D("4.99"), D("1.65"), D("21.64"))


def test_tax_included_in_prices_is_shown_and_not_added():
    # 19% inside 11.90 is 1.90
    breakdown = price_checkout(
        lines=[line("a", "11.90")], now=NOW, tax=Tax(name="VAT", rate=D("19")), prices_include_tax=True
    )

    assert summary(breakdown) == (D("11.90"), D("0.00"), D("0.00"), D("1.90"), D("11.90"))


def test_a_rate_that_spares_shipping_taxes_only_the_lines():
    breakdown = price_checkout(
        lines=[line("a", "10.00")],
        now=NOW,
        shipping=Shipping(id="s", name="Standard", price=D("5.00")),
        tax=Tax(name="Sales tax", rate=D("10"), on_shipping=False),
    )

    assert (breakdown.tax_total, breakdown.total) == (D("1.00"), D("16.00"))


# ---------------------------------------------------------------------------
# Properties of any basket
# ---------------------------------------------------------------------------
money = st.decimals(min_value=D("0.01"), max_value=D("9999.99"), places=2)
lines_strategy = st.lists(
    st.tuples(money, st.integers(min_value=1, max_value=20), st.sampled_from(["home", "books", "clothing"])),
    min_size=1,
    max_size=6,
)
rule_strategy = st.builds(
    lambda kind, value, category: rule(kind, str(value), **({"category_slugs": [category]} if category else {})),
    st.sampled_from([PERCENTAGE, FIXED]),
    st.decimals(min_value=D("0.00"), max_value=D("150.00"), places=2),
    st.sampled_from([None, "home", "books", "clothing"]),
)


@settings(max_examples=300, deadline=None)
@given(
    basket=lines_strategy,
    promotions=st.lists(rule_strategy, max_size=3),
    voucher=st.one_of(st.none(), rule_strategy),
    shipping=st.one_of(st.none(), st.builds(lambda p: Shipping(id="s", name="s", price=p), money)),
    tax_rate=st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("30"), places=2)),
    included=st.booleans(),
)
def test_any_basket_adds_up_exactly_never_negative_and_discounts_stay_within_what_they_cover(
    basket, promotions, voucher, shipping, tax_rate, included
):
    lines = [
        line(f"l{i}", str(price), quantity, categories=[category])
        for i, (price, quantity, category) in enumerate(basket)
    ]
    if voucher is not None:
        voucher = Rule(**{**voucher.__dict__, "code": "CODE", "id": "v"})
    tax = Tax(name="t", rate=tax_rate) if tax_rate is not None else None

    breakdown = price_checkout(
        lines=lines,
        now=NOW,
        promotions=promotions,
        voucher=voucher,
        shipping=shipping,
        tax=tax,
        prices_include_tax=included,
    )

    # every amount is whole cents, nothing is negative
    amounts = [
        breakdown.subtotal,
        breakdown.discount_total,
        breakdown.shipping_total,
        breakdown.tax_total,
        breakdown.total,
    ]
    amounts += [value for p in breakdown.lines for value in (p.discount, p.tax, p.net)]
    assert all(amount == cents(amount) and amount >= 0 for amount in amounts)
    # the total is what the contract says
    expected = breakdown.subtotal - breakdown.discount_total + breakdown.shipping_total
    assert breakdown.total == (expected if included else expected + breakdown.tax_total)
    # discounts: each line's shares add up to the discount, and no line gets more off than it costs
    for discount in breakdown.discounts:
        if discount.lines:
            assert sum(discount.lines.values()) == discount.amount
    assert all(p.discount <= p.subtotal for p in breakdown.lines)
    assert sum(p.discount for p in breakdown.lines) + breakdown.shipping_discount == breakdown.discount_total
    assert breakdown.shipping_discount <= breakdown.shipping_total
    assert len([d for d in breakdown.discounts if d.source == "promotion"]) <= 1
    # stable: the same basket prices the same, in any line order
    again = price_checkout(
        lines=list(reversed(lines)),
        now=NOW,
        promotions=promotions,
        voucher=voucher,
        shipping=shipping,
        tax=tax,
        prices_include_tax=included,
    )
    assert summary(again)[:2] == summary(breakdown)[:2] and again.total == breakdown.total
