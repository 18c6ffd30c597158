"""Request and response bodies of the catalog API."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from catalog.models import Category, Product


@extend_schema_serializer(component_name="CatalogProduct")
class ProductSerializer(serializers.ModelSerializer):
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
        fields = [
            "id",
            "sku",
            "name",
            "slug",
            "description",
            "price",
            "currency",
            "category",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_slug(self, value: str) -> str:
        others = Product.objects.exclude(pk=self.instance.pk) if self.instance else Product.objects.all()
        if value and others.filter(slug=value).exists():
            raise serializers.ValidationError("A product with this slug already exists.", code="unique")
        return value


@extend_schema_serializer(component_name="CatalogCategory")
class CategorySerializer(serializers.ModelSerializer):
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
    children = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "parent", "children"]
        read_only_fields = ["id"]

    def validate_slug(self, value: str) -> str:
        others = Category.objects.exclude(pk=self.instance.pk) if self.instance else Category.objects.all()
        if value and others.filter(slug=value).exists():
            raise serializers.ValidationError("A category with this slug already exists.", code="unique")
        return value

    def get_children(self, category: Category) -> list[dict]:
        # The view passes the whole tree in one map, so nesting costs no query per node.
        children_map = self.context.get("children_map")
        if children_map is None:
            children = list(category.children.select_related("parent").order_by("name", "id"))
        else:
            children = children_map.get(category.pk, [])
        return CategorySerializer(children, many=True, context=self.context).data


# Set after the class exists: the children are categories themselves (a recursive schema).
CategorySerializer.get_children = extend_schema_field(CategorySerializer(many=True, read_only=True))(
    CategorySerializer.get_children
)
