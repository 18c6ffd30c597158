"""Request and response bodies of the cart API."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from cart.models import MAX_QUANTITY


@extend_schema_serializer(component_name="CartItem")
class CartItemSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    product_id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(source="product.name", read_only=True)
    unit_price = serializers.DecimalField(source="product.price", max_digits=12, decimal_places=2, read_only=True)
    quantity = serializers.IntegerField(read_only=True)
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


@extend_schema_serializer(component_name="Cart")
class CartSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    items = CartItemSerializer(many=True, read_only=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    currency = serializers.CharField(read_only=True)


@extend_schema_serializer(component_name="CartItemAdd")
class CartItemAddSerializer(serializers.Serializer):
    product_id = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


@extend_schema_serializer(component_name="CartItemUpdate")
class CartItemUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
