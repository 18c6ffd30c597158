"""The order service's copy of the catalog (kept by product.* events) and the carts built on it."""

import uuid
from decimal import Decimal

from django.db import models

from ecom_common.money import DEFAULT_CURRENCY, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

MAX_QUANTITY = 100


class CatalogVariant(models.Model):
    """A variant (what is bought: a product's SKU) as the catalog last announced it; checkout
    snapshots names and prices from here. A product without variants is its one variant, with
    the product's id."""

    variant_id = models.UUIDField(primary_key=True)
    product_id = models.UUIDField(db_index=True)
    sku = models.CharField("SKU", max_length=64, blank=True)
    name = models.CharField(max_length=200, blank=True, help_text="The product's name.")
    attributes = models.JSONField(default=dict, blank=True, help_text='The variant\'s values, e.g. {"size": "M"}.')
    price = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=Decimal("0.00")
    )
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    # What promotions and vouchers are scoped by: the product's category with its ancestors, its brand.
    category_slugs = models.JSONField(default=list, blank=True)
    brand_slug = models.CharField(max_length=140, blank=True)
    # For sale: the product and the variant are both active.
    is_active = models.BooleanField(default=False)
    # A deleted variant stays as a tombstone, so an older update arriving late cannot bring it back.
    is_deleted = models.BooleanField(default=False)
    source_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="The product's updated_at in the catalog, from the event."
    )
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.sku} {self.display_name}"

    @property
    def is_available(self) -> bool:
        return self.is_active and not self.is_deleted

    @property
    def display_name(self) -> str:
        """The product's name with the variant's values: "Organic Tee (Black, M)"."""
        values = ", ".join(str(value) for value in self.attributes.values())
        return f"{self.name} ({values})" if values else self.name


class Cart(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user_id = models.UUIDField(unique=True)
    # What the customer chose for pricing the cart (PATCH /api/cart/); checkout uses them when
    # its request names none.
    voucher_code = models.CharField(max_length=40, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="Where it ships: shipping and tax follow.")
    region = models.CharField(max_length=64, blank=True)
    shipping_method_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cart of {self.user_id}"


class CartItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey(CatalogVariant, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_item_one_line_per_variant"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=MAX_QUANTITY), name="cart_item_quantity_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant_id}"

    @property
    def line_total(self) -> Decimal:
        return self.variant.price * self.quantity
