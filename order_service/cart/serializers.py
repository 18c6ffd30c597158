"""Request and response bodies of the cart API."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from cart.models import MAX_QUANTITY


@extend_schema_serializer(component_name="CartItem")
class CartItemSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    variant_id = serializers.UUIDField(read_only=True)
    product_id = serializers.UUIDField(source="variant.product_id", read_only=True)
    sku = serializers.CharField(source="variant.sku", read_only=True)
    name = serializers.CharField(source="variant.display_name", read_only=True)
    attributes = serializers.DictField(source="variant.attributes", child=serializers.CharField(), read_only=True)
    unit_price = serializers.DecimalField(source="variant.price", max_digits=12, decimal_places=2, read_only=True)
    quantity = serializers.IntegerField(read_only=True)
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


@extend_schema_serializer(component_name="Cart")
class CartSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    items = CartItemSerializer(many=True, read_only=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    currency = serializers.CharField(read_only=True)


class VariantChoiceMixin:
    """Exactly one of ``variant_id`` and ``product_id`` (the latter for a product with one variant)."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        given = [field for field in ("variant_id", "product_id") if attrs.get(field)]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"variant_id": "Give variant_id, or product_id for a product with one variant (not both)."},
                code="required",
            )
        return attrs


@extend_schema_serializer(component_name="CartItemAdd")
class CartItemAddSerializer(VariantChoiceMixin, serializers.Serializer):
    variant_id = serializers.UUIDField(required=False, help_text="The variant to buy.")
    product_id = serializers.UUIDField(required=False, help_text="Instead of variant_id: a product with one variant.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


@extend_schema_serializer(component_name="CartItemUpdate")
class CartItemUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
