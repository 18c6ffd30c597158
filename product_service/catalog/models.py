"""Categories (a tree) and the products filed under them."""

import uuid

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from ecom_common.money import DEFAULT_CURRENCY

CURRENCY_VALIDATOR = RegexValidator(
    regex=r"^[A-Z]{3}$",
    message="Enter an ISO 4217 currency code: three uppercase letters.",
    code="invalid_currency",
)


class Category(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    # PROTECT: a category with sub-categories cannot vanish and orphan (or cascade) its subtree.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sku = models.CharField("SKU", max_length=64, unique=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY, validators=[CURRENCY_VALIDATOR])
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="catalog_product_price_non_negative"),
        ]
        # What the public list filters and orders by: always is_active, then one ordering.
        indexes = [
            models.Index(fields=["is_active", "name"], name="catalog_product_active_name"),
            models.Index(fields=["is_active", "price"], name="catalog_product_active_price"),
            models.Index(fields=["is_active", "created_at"], name="catalog_product_active_created"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"
