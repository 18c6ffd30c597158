"""The one pricing function: what a checkout costs, line by line, and why.

``price_checkout`` takes the lines, the rules that may apply (promotions, a voucher, a shipping
method, a tax rate) and returns a ``Breakdown``; the cart, the checkout and the order's stored
snapshot all come from it, so what the customer saw is what is charged. Pure: no database, no
clock (``now`` is given), so it is tested exhaustively (pricing/tests/test_calculate.py).

The rules, in order:
1. A line's subtotal is unit price × quantity (exact: prices have two decimals).
2. Promotions: of those valid at ``now`` whose minimum subtotal the order reaches and that match
   at least one line, the one giving the largest discount applies (ties: higher ``priority``,
   then the older). Only one: promotions do not stack with each other.
3. A voucher (at most one) applies after it, to what its lines still cost; a free-shipping
   voucher takes the shipping price off instead.
4. A percentage discount is rounded once, on the total of the lines it covers; a fixed one is at
   most that total. The amount is spread over those lines in proportion to what they cost, cents
   by largest remainder, so the lines' discounts add up to it exactly.
5. Shipping: the method's price, nothing when the discounted subtotal reaches its free-above
   threshold, nothing when no method is given (none serves the country).
6. Tax: per line, on what the line costs after discounts, and on shipping when the rate says so,
   each rounded once; the total tax is their sum. With ``prices_include_tax`` the prices already
   contain it: tax is the part of the price that is tax and the total does not add it again.
Rounding is to the cent, half up (``ROUND_HALF_UP``), every time.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ecom_common.money import CENT, ZERO, cents

HUNDRED = Decimal(100)

PERCENTAGE, FIXED, FREE_SHIPPING = "percentage", "fixed", "free_shipping"


@dataclass(frozen=True)
class PriceLine:
    key: str  # the variant id
    product_id: str
    unit_price: Decimal
    quantity: int
    category_slugs: tuple[str, ...] = ()  # the product's category and its ancestors
    brand_slug: str | None = None

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Rule:
    """A promotion or a voucher, as the function needs it. Empty scopes: the whole order."""

    id: str
    name: str
    kind: str  # percentage | fixed | free_shipping
    value: Decimal  # a percentage (0-100) or an amount
    code: str | None = None  # a voucher's code; None for a promotion
    product_ids: frozenset[str] = frozenset()
    category_slugs: frozenset[str] = frozenset()
    brand_slugs: frozenset[str] = frozenset()
    min_subtotal: Decimal = ZERO
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    priority: int = 0

    def is_valid_at(self, now: datetime) -> bool:
        return (self.starts_at is None or self.starts_at <= now) and (self.ends_at is None or now < self.ends_at)

    @property
    def is_whole_order(self) -> bool:
        return not (self.product_ids or self.category_slugs or self.brand_slugs)

    def covers(self, line: PriceLine) -> bool:
        return (
            self.is_whole_order
            or line.product_id in self.product_ids
            or bool(self.category_slugs.intersection(line.category_slugs))
            or (line.brand_slug is not None and line.brand_slug in self.brand_slugs)
        )


@dataclass(frozen=True)
class Shipping:
    id: str
    name: str
    price: Decimal
    free_above: Decimal | None = None


@dataclass(frozen=True)
class Tax:
    name: str
    rate: Decimal  # a percentage, e.g. 19.00
    on_shipping: bool = True


@dataclass
class LinePrice:
    key: str
    subtotal: Decimal
    discount: Decimal = ZERO
    tax: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        """What the line costs after discounts (tax included when prices include it)."""
        return self.subtotal - self.discount


@dataclass(frozen=True)
class Discount:
    source: str  # "promotion" | "voucher"
    rule_id: str
    name: str
    code: str | None
    amount: Decimal
    lines: dict[str, Decimal]  # line key → its share; empty for a shipping discount


@dataclass
class Breakdown:
    lines: list[LinePrice]
    discounts: list[Discount]
    shipping_price: Decimal
    shipping_discount: Decimal
    shipping_tax: Decimal
    prices_include_tax: bool
    shipping: Shipping | None = None
    tax: Tax | None = None
    voucher_rejection: str | None = field(default=None)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.subtotal for line in self.lines), ZERO)

    @property
    def discount_total(self) -> Decimal:
        return sum((discount.amount for discount in self.discounts), ZERO)

    @property
    def shipping_total(self) -> Decimal:
        return self.shipping_price

    @property
    def tax_total(self) -> Decimal:
        return sum((line.tax for line in self.lines), ZERO) + self.shipping_tax

    @property
    def total(self) -> Decimal:
        total = self.subtotal - self.discount_total + self.shipping_total
        return total if self.prices_include_tax else total + self.tax_total

    def line(self, key: str) -> LinePrice:
        return next(line for line in self.lines if line.key == key)

    def line_paid(self, key: str) -> Decimal:
        """What the customer pays for a line: after discounts, with its tax (no shipping)."""
        line = self.line(key)
        return line.net if self.prices_include_tax else line.net + line.tax


def _spread(amount: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """``amount`` in cents over the keys in proportion to ``weights``; the shares add up to it
    exactly (largest remainder; ties by key, so the lines' order changes nothing)."""
    total = sum(weights.values(), ZERO)
    if not amount or not total:
        return dict.fromkeys(weights, ZERO)
    units = int(amount / CENT)
    exact = {key: Decimal(units) * weight / total for key, weight in weights.items()}
    shares = {key: int(value) for key, value in exact.items()}  # floors: weights are positive
    left = units - sum(shares.values())
    by_remainder = sorted(weights, key=lambda key: (shares[key] - exact[key], key))
    for key in by_remainder[:left]:
        shares[key] += 1
    return {key: Decimal(share) * CENT for key, share in shares.items()}


def _line_discount(rule: Rule, lines: Sequence[PriceLine], remaining: dict[str, Decimal]) -> Discount | None:
    """What ``rule`` takes off the lines it covers (their ``remaining`` cost), or None."""
    covered = {line.key: remaining[line.key] for line in lines if rule.covers(line) and remaining[line.key] > 0}
    base = sum(covered.values(), ZERO)
    if not covered:
        return None
    if rule.kind == PERCENTAGE:
        amount = cents(base * min(max(rule.value, ZERO), HUNDRED) / HUNDRED)
    else:
        amount = min(cents(max(rule.value, ZERO)), base)
    if amount <= 0:
        return None
    source = "voucher" if rule.code else "promotion"
    return Discount(source, rule.id, rule.name, rule.code, amount, _spread(amount, covered))


def _best_promotion(promotions: Iterable[Rule], lines, remaining, now, subtotal) -> Discount | None:
    candidates = []
    for order, rule in enumerate(promotions):
        if rule.kind == FREE_SHIPPING or not rule.is_valid_at(now) or subtotal < rule.min_subtotal:
            continue
        discount = _line_discount(rule, lines, remaining)
        if discount is not None:
            candidates.append((discount.amount, rule.priority, -order, discount))
    return max(candidates, key=lambda candidate: candidate[:3])[3] if candidates else None


def voucher_problem(voucher: Rule, lines: Sequence[PriceLine], *, now: datetime) -> str | None:
    """Why ``voucher`` cannot apply to these lines (an error code), or None."""
    subtotal = sum((line.subtotal for line in lines), ZERO)
    if not voucher.is_valid_at(now):
        return "voucher_expired"
    if subtotal < voucher.min_subtotal:
        return "voucher_invalid"
    if voucher.kind != FREE_SHIPPING and not any(voucher.covers(line) for line in lines):
        return "voucher_invalid"
    return None


def _tax_of(amount: Decimal, tax: Tax | None, *, included: bool) -> Decimal:
    if tax is None or amount <= 0:
        return ZERO
    if included:
        return cents(amount * tax.rate / (HUNDRED + tax.rate))
    return cents(amount * tax.rate / HUNDRED)


def price_checkout(
    *,
    lines: Sequence[PriceLine],
    now: datetime,
    promotions: Iterable[Rule] = (),
    voucher: Rule | None = None,
    shipping: Shipping | None = None,
    tax: Tax | None = None,
    prices_include_tax: bool = False,
) -> Breakdown:
    """The breakdown of a checkout of ``lines``. A voucher that does not apply is left out and
    the reason noted in ``voucher_rejection`` (the caller decides whether that is an error)."""
    priced = [LinePrice(key=line.key, subtotal=line.subtotal) for line in lines]
    by_key = {line.key: line for line in priced}
    subtotal = sum((line.subtotal for line in priced), ZERO)
    discounts: list[Discount] = []

    promotion = _best_promotion(promotions, lines, {p.key: p.net for p in priced}, now, subtotal)
    if promotion is not None:
        discounts.append(promotion)
        for key, share in promotion.lines.items():
            by_key[key].discount += share

    rejection = voucher_problem(voucher, lines, now=now) if voucher is not None else None
    voucher_discount = None
    if voucher is not None and rejection is None and voucher.kind != FREE_SHIPPING:
        voucher_discount = _line_discount(voucher, lines, {p.key: p.net for p in priced})
        if voucher_discount is None:
            rejection = "voucher_invalid"  # its lines cost nothing any more
        else:
            discounts.append(voucher_discount)
            for key, share in voucher_discount.lines.items():
                by_key[key].discount += share

    shipping_price = ZERO
    if shipping is not None:
        after_discounts = sum((line.net for line in priced), ZERO)
        free = shipping.free_above is not None and after_discounts >= shipping.free_above
        shipping_price = ZERO if free else cents(shipping.price)
    shipping_discount = ZERO
    if voucher is not None and rejection is None and voucher.kind == FREE_SHIPPING:
        if shipping_price:
            shipping_discount = shipping_price
            discounts.append(Discount("voucher", voucher.id, voucher.name, voucher.code, shipping_discount, {}))
        else:
            rejection = "voucher_invalid"  # shipping is free already: the use is kept for later

    for line in priced:
        line.tax = _tax_of(line.net, tax, included=prices_include_tax)
    taxed_shipping = shipping_price - shipping_discount
    shipping_tax = _tax_of(taxed_shipping, tax, included=prices_include_tax) if tax and tax.on_shipping else ZERO
    return Breakdown(
        lines=priced,
        discounts=discounts,
        shipping_price=shipping_price,
        shipping_discount=shipping_discount,
        shipping_tax=shipping_tax,
        prices_include_tax=prices_include_tax,
        shipping=shipping,
        tax=tax,
        voucher_rejection=rejection,
    )
