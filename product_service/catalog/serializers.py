"""Request and response bodies of the catalog API: what comes in is never what goes out."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from catalog.models import Category, Product

PRODUCT_FIELDS = ["sku", "name", "slug", "description", "price", "currency", "category", "is_active"]


def _unique_slug(*, model, instance, value: str) -> str:
    others = model.objects.exclude(pk=instance.pk) if instance else model.objects.all()
    if value and others.filter(slug=value).exists():
        raise serializers.ValidationError(
            f"A {model._meta.verbose_name} with this slug already exists.",
            code="unique",
        )
    return value


# Request and response components share a name: the schema splits them into
# "CatalogProductRequest" and "CatalogProduct" (COMPONENT_SPLIT_REQUEST).
@extend_schema_serializer(component_name="CatalogProduct")
class ProductInputSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        allow_null=True,
        required=False,
        help_text="The category's slug.",
    )
    slug = serializers.SlugField(
        max_length=220, required=False, allow_blank=True, help_text="Generated from the name when omitted."
    )

    class Meta:
        model = Product
        fields = PRODUCT_FIELDS

    def validate_slug(self, value: str) -> str:
        return _unique_slug(model=Product, instance=self.instance, value=value)


@extend_schema_serializer(component_name="CatalogProduct")
class ProductOutputSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The category's slug."
    )

    class Meta:
        model = Product
        fields = ["id", *PRODUCT_FIELDS, "created_at", "updated_at"]


@extend_schema_serializer(component_name="CatalogCategory")
class CategoryInputSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        allow_null=True,
        required=False,
        help_text="The parent category's slug; null for a root category.",
    )
    slug = serializers.SlugField(
        max_length=140, required=False, allow_blank=True, help_text="Generated from the name when omitted."
    )

    class Meta:
        model = Category
        fields = ["name", "slug", "description", "parent"]

    def validate_slug(self, value: str) -> str:
        return _unique_slug(model=Category, instance=self.instance, value=value)


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
