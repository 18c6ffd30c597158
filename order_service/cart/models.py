"""The order service's copy of the catalog (kept by product.* events) and the carts built on it."""

import uuid
from decimal import Decimal

from django.db import models

from ecom_common.money import DEFAULT_CURRENCY

MAX_QUANTITY = 100


class CatalogProduct(models.Model):
    """A product as the catalog last announced it; checkout snapshots names and prices from here."""

    product_id = models.UUIDField(primary_key=True)
    sku = models.CharField("SKU", max_length=64, blank=True)
    name = models.CharField(max_length=200, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    is_active = models.BooleanField(default=False)
    # A deleted product stays as a tombstone, so an older update arriving late cannot bring it back.
    is_deleted = models.BooleanField(default=False)
    source_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="The product's updated_at in the catalog, from the event."
    )
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def is_available(self) -> bool:
        return self.is_active and not self.is_deleted


class Cart(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user_id = models.UUIDField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cart of {self.user_id}"


class CartItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(CatalogProduct, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="cart_item_one_line_per_product"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=MAX_QUANTITY), name="cart_item_quantity_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"

    @property
    def line_total(self) -> Decimal:
        return self.product.price * self.quantity
