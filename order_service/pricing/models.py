"""What staff set up to price checkouts: promotions (automatic), vouchers (codes, with their
uses), shipping methods and tax rates. pricing/calculate.py says how they combine."""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from ecom_common.money import DEFAULT_CURRENCY, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, MONEY_SUM_MAX_DIGITS
from pricing import calculate


class DiscountKind(models.TextChoices):
    PERCENTAGE = calculate.PERCENTAGE
    FIXED = calculate.FIXED
    FREE_SHIPPING = calculate.FREE_SHIPPING, "Free shipping (vouchers)"


class DiscountRule(models.Model):
    """A discount and what it covers. No products, categories or brands: the whole order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=DiscountKind.choices)
    value = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="A percentage (0-100) or an amount in the currency; unused for free shipping.",
    )
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY, help_text="Of a fixed amount.")
    product_ids = models.JSONField(default=list, blank=True, help_text="Product ids it covers.")
    category_slugs = models.JSONField(
        default=list, blank=True, help_text="Category slugs it covers (with their sub-categories)."
    )
    brand_slugs = models.JSONField(default=list, blank=True, help_text="Brand slugs it covers.")
    min_subtotal = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="The order's subtotal before discounts must reach this.",
    )
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Empty: valid from now on.")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: no end. The end is exclusive.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def as_rule(self, *, code: str | None = None, priority: int = 0) -> calculate.Rule:
        return calculate.Rule(
            id=str(self.id),
            name=self.name,
            kind=self.kind,
            value=self.value,
            code=code,
            product_ids=frozenset(str(p) for p in self.product_ids),
            category_slugs=frozenset(self.category_slugs),
            brand_slugs=frozenset(self.brand_slugs),
            min_subtotal=self.min_subtotal,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            priority=priority,
        )


class Promotion(DiscountRule):
    """Applied automatically; of the promotions that apply, the one giving most wins."""

    priority = models.IntegerField(default=0, help_text="Between two promotions giving as much, the higher wins.")

    class Meta:
        ordering = ["-priority", "created_at"]

    def __str__(self) -> str:
        return self.name

    def as_rule(self, **options) -> calculate.Rule:
        return super().as_rule(priority=self.priority)


class Voucher(DiscountRule):
    """A code a customer enters; at most one per order, after the promotion."""

    code = models.CharField(max_length=40, unique=True, help_text="Stored in capitals; customers type any case.")
    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Uses in all; empty: no limit.")
    per_customer_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Uses per customer; empty: no limit."
    )
    # Uses held by orders not cancelled; changed only under the voucher's row lock (services).
    used_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def as_rule(self, **options) -> calculate.Rule:
        return super().as_rule(code=self.code)


class VoucherUse(models.Model):
    """An order's use of a voucher: taken when the order is placed, given back if it is cancelled."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="uses")
    order_id = models.UUIDField(unique=True)
    user_id = models.UUIDField(db_index=True)
    amount = models.DecimalField(max_digits=MONEY_SUM_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True, help_text="The order was cancelled: the use is back.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.voucher_id} by order {self.order_id}"


class ShippingMethod(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    price = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    free_above = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="Free when the subtotal after discounts reaches this; empty: never free.",
    )
    min_days = models.PositiveSmallIntegerField(default=1)
    max_days = models.PositiveSmallIntegerField(default=5)
    countries = models.JSONField(default=list, help_text='ISO codes it delivers to, e.g. ["US", "CA"].')
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["price", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.price} {self.currency})"

    def as_shipping(self) -> calculate.Shipping:
        return calculate.Shipping(id=str(self.id), name=self.name, price=self.price, free_above=self.free_above)


class TaxRate(models.Model):
    name = models.CharField(max_length=120, help_text='Shown to customers, e.g. "VAT".')
    country = models.CharField(max_length=2)
    region = models.CharField(max_length=64, blank=True, help_text="A state or region code; empty: the whole country.")
    rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="A percentage, e.g. 19.00.",
    )
    applies_to_shipping = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "region"]
        constraints = [models.UniqueConstraint(fields=["country", "region"], name="tax_rate_one_per_region")]

    def __str__(self) -> str:
        where = f"{self.country}-{self.region}" if self.region else self.country
        return f"{self.name} {self.rate}% ({where})"

    def as_tax(self) -> calculate.Tax:
        return calculate.Tax(name=self.name, rate=self.rate, on_shipping=self.applies_to_shipping)
