"""Money conventions every service shares: amounts are Decimal strings with an ISO 4217 code."""

from decimal import Decimal

# The currency of a price, cart, order or payment that names none (the contract's default).
# A constant, not a setting: models store it as their field default, so migrations see it.
DEFAULT_CURRENCY = "USD"

# What every service can store, declared once so the edge refuses what downstream could not keep:
# amounts have at most MONEY_MAX_DIGITS digits, MONEY_DECIMAL_PLACES of them after the point
# (Payment.amount, Order.total), and a payment token at most PAYMENT_TOKEN_MAX_LENGTH characters.
MONEY_MAX_DIGITS = 12
MONEY_DECIMAL_PLACES = 2
MONEY_MAX = Decimal(10 ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES)) - Decimal("0.01")
PAYMENT_TOKEN_MAX_LENGTH = 100
