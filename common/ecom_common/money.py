"""Money, one way in every service: amounts are ``Decimal``s of whole cents with an ISO 4217 code,
strings on the wire (``"12.30"``), rounded half up to the cent wherever arithmetic makes more
places (a percentage, a tax rate, a share of a discount).

    cents(Decimal("2.345"))          # Decimal("2.35"): the one rounding rule
    money_str(Decimal("3"))          # "3.00": events and provider calls
    money_display(total, "EUR")      # "12.30 EUR": the admins
    total = money_field(help_text=...)  # a read-only amount in a serializer
"""

from decimal import ROUND_HALF_UP, Decimal

from rest_framework import serializers

# The currency of a price, cart, order or payment that names none (the contract's default).
# A constant, not a setting: models store it as their field default, so migrations see it.
DEFAULT_CURRENCY = "USD"

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# What every service can store, declared once so the edge refuses what downstream could not keep:
# an amount (a price, a payment, an order's total) has at most MONEY_MAX_DIGITS digits,
# MONEY_DECIMAL_PLACES of them after the point. A sum of amounts that is never paid as such (a
# line's total before discounts, an order's subtotal) keeps MONEY_SUM_MAX_DIGITS.
MONEY_MAX_DIGITS = 12
MONEY_SUM_MAX_DIGITS = 14
MONEY_DECIMAL_PLACES = 2
MONEY_MAX = Decimal(10 ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES)) - CENT
PAYMENT_TOKEN_MAX_LENGTH = 100


def cents(amount: Decimal | int | str) -> Decimal:
    """``amount`` rounded to the cent, half up: the one rounding rule."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def money_str(amount: Decimal | int | str) -> str:
    """The wire form of an amount: ``"12.30"``."""
    return str(cents(amount))


def money_display(amount: Decimal | int | str, currency: str) -> str:
    """An amount as staff read it: ``"12.30 USD"``."""
    return f"{money_str(amount)} {currency}"


def money_field(*, max_digits: int = MONEY_SUM_MAX_DIGITS, help_text: str = "", **kwargs) -> serializers.DecimalField:
    """A read-only amount in an API answer (a string of two decimals in the schema)."""
    return serializers.DecimalField(
        max_digits=max_digits, decimal_places=MONEY_DECIMAL_PLACES, read_only=True, help_text=help_text, **kwargs
    )
