"""The catalog: categories (a tree), brands, attributes and product types, and products with
the variants that are actually sold (each a SKU with a price and its attribute values)."""

import uuid

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Upper

from ecom_common.money import DEFAULT_CURRENCY, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

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


def brand_logo_path(brand: "Brand", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    return f"brands/{brand.id}/logo-{uuid.uuid4().hex[:8]}.{extension}"


class Brand(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    # Uploaded in the admin, checked as product images are (catalog/images.py).
    logo = models.ImageField(upload_to=brand_logo_path, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Attribute(models.Model):
    """What variants of a product vary by: size, colour, material..."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AttributeValue(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A value still given to a variant is not deleted: the services refuse it (a 409).
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attribute__name", "position", "value"]
        constraints = [
            models.UniqueConstraint(fields=["attribute", "slug"], name="catalog_attribute_value_slug_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.attribute.name}: {self.value}"


class ProductType(models.Model):
    """A kind of product, and the attributes its variants vary by (a T-shirt: size and colour)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    variant_attributes = models.ManyToManyField(Attribute, blank=True, related_name="product_types")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def product_search_vector() -> SearchVector:
    """A product's words for full-text search, the name weighing more than the description: one
    expression for the searches (``selectors.product_search``) and for the GIN index that answers
    them, which PostgreSQL uses only when the two are the same expression."""
    return SearchVector("name", weight="A", config="english") + SearchVector(
        "description", weight="B", config="english"
    )


class Product(models.Model):
    """What a shopper sees listed. ``price`` is kept equal to the lowest price among its active
    variants (a listing's "from" price; the filters and the ordering read it); the variants are
    what is bought, stocked and shipped."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY, validators=[CURRENCY_VALIDATOR])
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products")
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.PROTECT, related_name="products")
    product_type = models.ForeignKey(
        ProductType, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    is_active = models.BooleanField(default=True)
    # Of visible reviews, kept by the review services (never counted per request).
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
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
            # The staff's list (every product, by name) and the full-text search (PostgreSQL only:
            # its migration skips it on the embedded SQLite database).
            models.Index(fields=["name", "id"], name="catalog_product_name_id"),
            GinIndex(product_search_vector(), name="catalog_product_search"),
        ]

    def __str__(self) -> str:
        return self.name


class ProductVariant(models.Model):
    """One thing for sale: a SKU, its price (in the product's currency) and its attribute values.

    ``attributes_key`` spells the values out ("color=red;size=m", sorted) so that the database
    itself refuses two variants of one product with the same combination.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(
        "SKU", max_length=64, unique=True, error_messages={"unique": "A product variant with this SKU already exists."}
    )
    price = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, validators=[MinValueValidator(0)]
    )
    attribute_values = models.ManyToManyField(AttributeValue, blank=True, related_name="variants")
    attributes_key = models.CharField(max_length=500, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="catalog_variant_price_non_negative"),
            models.UniqueConstraint(
                fields=["product", "attributes_key"], name="catalog_variant_attributes_unique_per_product"
            ),
        ]
        indexes = [
            # A search by the beginning of a SKU, whatever its case (PostgreSQL only, like the
            # product's full-text index): UPPER(sku) LIKE 'KIT-%'.
            models.Index(OpClass(Upper("sku"), name="varchar_pattern_ops"), name="catalog_variant_sku_prefix"),
        ]

    def __str__(self) -> str:
        return self.sku

    @property
    def attributes(self) -> dict[str, str]:
        """``{"size": "M", "color": "Red"}``: attribute slug → value (prefetch the values and their
        attributes to read it for many variants without a query each)."""
        return {value.attribute.slug: value.value for value in self.attribute_values.all()}


class Purchase(models.Model):
    """A customer received this product (an ``order.delivered`` said so): they may review it."""

    id = models.BigAutoField(primary_key=True)
    user_id = models.UUIDField()
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="purchases")
    order_id = models.UUIDField()
    delivered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "product", "order_id"], name="catalog_purchase_once_per_order"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} received {self.product_id}"


class Review(models.Model):
    """A buyer's review of a product: one per customer and product; staff hide or show it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    user_id = models.UUIDField()
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=5000, blank=True)
    is_visible = models.BooleanField(default=True, help_text="Hidden reviews count in no rating.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            # A unique key, not a check: two concurrent first reviews cannot both be stored.
            models.UniqueConstraint(fields=["product", "user_id"], name="catalog_review_one_per_customer"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="catalog_review_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 {self.title}"


def product_image_path(image: "ProductImage", filename: str) -> str:
    # The image's own id, not the uploaded name: names never clash and reveal nothing.
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}.get(image.format, "img")
    return f"products/{image.product_id}/{image.id}.{extension}"


class ProductImage(models.Model):
    """An image of a product, in display order, with its alt text; its renditions (thumbnail,
    medium, WebP) are made by the worker after upload (catalog/images.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    file = models.ImageField(upload_to=product_image_path, width_field="width", height_field="height")
    format = models.CharField(max_length=10, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    alt = models.CharField("alt text", max_length=250, blank=True)
    position = models.PositiveIntegerField(default=0)
    # name -> storage path of each rendition the worker has made.
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "created_at", "id"]

    def __str__(self) -> str:
        return self.alt or str(self.id)
