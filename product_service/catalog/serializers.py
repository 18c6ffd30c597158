"""Request and response bodies of the catalog API: what comes in is never what goes out."""

from decimal import Decimal

from django.core.files.storage import default_storage
from django.db.models.manager import BaseManager
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from catalog.models import (
    Attribute,
    AttributeValue,
    Brand,
    Category,
    Product,
    ProductImage,
    ProductType,
    ProductVariant,
    Review,
)
from ecom_common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

PRODUCT_FIELDS = ["sku", "name", "slug", "description", "price", "currency", "category", "is_active"]


def optional_slug(*, max_length: int) -> serializers.SlugField:
    return serializers.SlugField(
        max_length=max_length, required=False, allow_blank=True, help_text="Generated from the name when omitted."
    )


class SluggedInputSerializer(serializers.ModelSerializer):
    """An input whose ``slug`` is optional (generated from the name) and unique among its model's."""

    def validate_slug(self, value: str) -> str:
        model = self.Meta.model
        others = model.objects.exclude(pk=self.instance.pk) if self.instance else model.objects.all()
        if value and others.filter(slug=value).exists():
            raise serializers.ValidationError(
                f"A {model._meta.verbose_name} with this slug already exists.", code="unique"
            )
        return value


PRICE = {"max_digits": MONEY_MAX_DIGITS, "decimal_places": MONEY_DECIMAL_PLACES, "min_value": Decimal("0")}
ATTRIBUTES_HELP = 'Attribute values by attribute slug, e.g. {"size": "M", "color": "red"}.'


# -- variants ------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="CatalogVariant")
class VariantInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    price = serializers.DecimalField(**PRICE)
    attributes = serializers.DictField(
        child=serializers.CharField(max_length=100), required=False, help_text=ATTRIBUTES_HELP
    )
    is_active = serializers.BooleanField(required=False, default=True)
    position = serializers.IntegerField(required=False, min_value=0)


@extend_schema_serializer(component_name="CatalogVariant")
class VariantOutputSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(source="product.currency", read_only=True)
    attributes = serializers.DictField(child=serializers.CharField(), read_only=True, help_text=ATTRIBUTES_HELP)

    class Meta:
        model = ProductVariant
        fields = ["id", "sku", "price", "currency", "attributes", "is_active", "position"]


class VisibleVariantListSerializer(serializers.ListSerializer):
    """A product's variants as its response shows them: every one for staff
    (``include_inactive_variants`` in the context), the ones for sale otherwise. One serializer for
    every product of a page, not one built per product."""

    def to_representation(self, data):
        variants = list(data.all() if isinstance(data, BaseManager) else data)  # prefetched by the selectors
        if not self.context.get("include_inactive_variants"):
            variants = [variant for variant in variants if variant.is_active]
        return super().to_representation(variants)


# -- products ------------------------------------------------------------------------------------
# Request and response components share a name: the schema splits them into
# "CatalogProductRequest" and "CatalogProduct" (COMPONENT_SPLIT_REQUEST).
@extend_schema_serializer(component_name="CatalogProduct")
class ProductInputSerializer(SluggedInputSerializer):
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        allow_null=True,
        required=False,
        help_text="The category's slug.",
    )
    brand = serializers.SlugRelatedField(
        slug_field="slug", queryset=Brand.objects.all(), allow_null=True, required=False, help_text="The brand's slug."
    )
    product_type = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=ProductType.objects.all(),
        allow_null=True,
        required=False,
        help_text="The product type's slug: which attributes its variants vary by.",
    )
    slug = optional_slug(max_length=220)
    sku = serializers.CharField(
        max_length=64, required=False, help_text="With price: the one variant of a product without variants."
    )
    price = serializers.DecimalField(**PRICE, required=False, help_text="With sku: the one variant's price.")
    variants = VariantInputSerializer(
        many=True, required=False, help_text="On creation: the product's variants (instead of sku and price)."
    )

    class Meta:
        model = Product
        fields = [*PRODUCT_FIELDS, "brand", "product_type", "variants"]

    def to_internal_value(self, data):
        """The fields' errors, with ``sku`` and ``price`` required on creation without
        ``variants`` (the shape from before variants): every missing field is reported at once."""
        errors, attrs = {}, None
        try:
            attrs = super().to_internal_value(data)
        except serializers.ValidationError as error:
            errors = dict(error.detail)
        if self.instance is None and isinstance(data, dict) and not data.get("variants"):
            for field in ("sku", "price"):
                if field not in data and field not in errors:
                    errors[field] = [ErrorDetail("This field is required.", code="required")]
        if errors:
            raise serializers.ValidationError({name: errors[name] for name in self.fields if name in errors})
        return attrs

    def validate(self, attrs):
        if self.instance is not None and "variants" in attrs:
            raise serializers.ValidationError(
                {"variants": "Change variants at /api/products/{id}/variants/."}, code="read_only"
            )
        return attrs


def _media_url(path: str) -> str:
    """The storage's URL of a file: ``/media/...`` on local disk (the same for every host, so a
    cached response stays right behind the gateway and in front of it), the bucket's otherwise."""
    return default_storage.url(path)


@extend_schema_serializer(component_name="CatalogProductImage")
class ProductImageOutputSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The image as uploaded.")
    renditions = serializers.SerializerMethodField(
        help_text="WebP renditions by name (thumbnail: 200 px, medium: 800 px), once the worker has made them."
    )

    class Meta:
        model = ProductImage
        fields = ["id", "url", "alt", "width", "height", "position", "renditions"]

    def get_url(self, image: ProductImage) -> str:
        return _media_url(image.file.name)

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_renditions(self, image: ProductImage) -> dict[str, str]:
        return {name: _media_url(path) for name, path in image.renditions.items()}


@extend_schema_serializer(component_name="CatalogProductImageUpload")
class ProductImageInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG, WebP or GIF image (multipart/form-data).")
    alt = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    position = serializers.IntegerField(min_value=0, required=False)


@extend_schema_serializer(component_name="CatalogProductImageUpdate")
class ProductImageUpdateSerializer(serializers.Serializer):
    alt = serializers.CharField(max_length=250, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, required=False)


class RatingSerializer(serializers.Serializer):
    average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True, source="rating_average")
    count = serializers.IntegerField(source="rating_count")


@extend_schema_serializer(component_name="CatalogProduct")
class ProductOutputSerializer(serializers.ModelSerializer):
    sku = serializers.SerializerMethodField(help_text="The first variant's SKU.")
    price = serializers.DecimalField(
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        read_only=True,
        help_text="The lowest price among the active variants.",
    )
    category = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The category's slug."
    )
    brand = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The brand's slug."
    )
    product_type = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The product type's slug."
    )
    variants = VisibleVariantListSerializer(child=VariantOutputSerializer(), read_only=True)
    images = ProductImageOutputSerializer(many=True, read_only=True)
    rating = RatingSerializer(source="*", read_only=True, help_text="Of the visible reviews.")

    class Meta:
        model = Product
        fields = [
            "id",
            *PRODUCT_FIELDS,
            "brand",
            "product_type",
            "variants",
            "images",
            "rating",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField())
    def get_sku(self, product: Product) -> str:
        variants = list(product.variants.all())
        return variants[0].sku if variants else ""


class FacetValueSerializer(serializers.Serializer):
    slug = serializers.CharField()
    value = serializers.CharField()
    count = serializers.IntegerField()


class FacetAttributeSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    values = FacetValueSerializer(many=True)


class FacetBrandSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    brands = FacetBrandSerializer(many=True, help_text="How many of the filtered products have each brand.")
    attributes = FacetAttributeSerializer(
        many=True, help_text="How many of the filtered products have an active variant with each value."
    )


@extend_schema_serializer(component_name="CatalogProductPage")
class ProductPageSerializer(serializers.Serializer):
    """The list envelope of products; ``facets`` only with ``?facets=true``."""

    is_page_envelope = True  # the schema shows it as is, not as a page of pages (ecom_common.openapi)

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProductOutputSerializer(many=True)
    facets = FacetsSerializer(required=False)


# -- brands, attributes, product types -----------------------------------------------------------
@extend_schema_serializer(component_name="CatalogBrand")
class BrandInputSerializer(SluggedInputSerializer):
    slug = optional_slug(max_length=140)

    class Meta:
        model = Brand
        fields = ["name", "slug", "description"]


@extend_schema_serializer(component_name="CatalogBrand")
class BrandOutputSerializer(serializers.ModelSerializer):
    logo = serializers.SerializerMethodField(help_text="The logo's URL (uploaded in the admin), or null.")

    class Meta:
        model = Brand
        fields = ["id", "name", "slug", "description", "logo"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_logo(self, brand: Brand) -> str | None:
        return _media_url(brand.logo.name) if brand.logo else None


@extend_schema_serializer(component_name="CatalogAttribute")
class AttributeInputSerializer(SluggedInputSerializer):
    slug = optional_slug(max_length=120)
    values = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        help_text="The attribute's values in display order; one a variant still has cannot be removed.",
    )

    class Meta:
        model = Attribute
        fields = ["name", "slug", "values"]


class AttributeValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttributeValue
        fields = ["slug", "value"]


@extend_schema_serializer(component_name="CatalogAttribute")
class AttributeOutputSerializer(serializers.ModelSerializer):
    values = AttributeValueSerializer(many=True, read_only=True)

    class Meta:
        model = Attribute
        fields = ["id", "name", "slug", "values"]


@extend_schema_serializer(component_name="CatalogProductType")
class ProductTypeInputSerializer(SluggedInputSerializer):
    slug = optional_slug(max_length=140)
    variant_attributes = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Attribute.objects.all(),
        many=True,
        required=False,
        help_text="Slugs of the attributes its variants vary by.",
    )

    class Meta:
        model = ProductType
        fields = ["name", "slug", "variant_attributes"]


@extend_schema_serializer(component_name="CatalogProductType")
class ProductTypeOutputSerializer(serializers.ModelSerializer):
    variant_attributes = serializers.SlugRelatedField(slug_field="slug", read_only=True, many=True)

    class Meta:
        model = ProductType
        fields = ["id", "name", "slug", "variant_attributes"]


# -- categories ----------------------------------------------------------------------------------
@extend_schema_serializer(component_name="CatalogCategory")
class CategoryInputSerializer(SluggedInputSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        allow_null=True,
        required=False,
        help_text="The parent category's slug; null for a root category.",
    )
    slug = optional_slug(max_length=140)

    class Meta:
        model = Category
        fields = ["name", "slug", "description", "parent"]


@extend_schema_serializer(component_name="CatalogCategory")
class CategoryOutputSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The parent category's slug; null for a root category.",
    )
    children = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "parent", "children"]

    def get_children(self, category: Category) -> list[dict]:
        # The view passes the whole tree in one map, so nesting costs no query per node.
        children_map = self.context.get("children_map")
        if children_map is None:
            children = list(category.children.select_related("parent").order_by("name", "id"))
        else:
            children = children_map.get(category.pk, [])
        return CategoryOutputSerializer(children, many=True, context=self.context).data


# Set after the class exists: the children are categories themselves (a recursive schema).
CategoryOutputSerializer.get_children = extend_schema_field(CategoryOutputSerializer(many=True, read_only=True))(
    CategoryOutputSerializer.get_children
)


# -- reviews ------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="CatalogReview")
class ReviewInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["rating", "title", "body"]


@extend_schema_serializer(component_name="CatalogReview")
class ReviewOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "rating", "title", "body", "created_at"]
