"""Money conventions every service shares: amounts are Decimal strings with an ISO 4217 code."""

# The currency of a price, cart, order or payment that names none (the contract's default).
# A constant, not a setting: models store it as their field default, so migrations see it.
DEFAULT_CURRENCY = "USD"
