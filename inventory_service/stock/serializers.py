"""Request and response bodies of the inventory API."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from stock.models import Stock, StockMovement


@extend_schema_serializer(component_name="InventoryStock")
class StockSerializer(serializers.ModelSerializer):
    available = serializers.IntegerField(read_only=True, help_text="on_hand - reserved; never below zero.")

    class Meta:
        model = Stock
        fields = ["variant_id", "product_id", "on_hand", "reserved", "available", "low_stock_threshold"]
        read_only_fields = fields


@extend_schema_serializer(component_name="InventoryStockAdjust")
class StockAdjustSerializer(serializers.Serializer):
    delta = serializers.IntegerField(help_text="Units to add to on_hand (negative removes); not zero.")
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="InventoryStockMovement")
class StockMovementSerializer(serializers.ModelSerializer):
    variant_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "variant_id",
            "kind",
            "on_hand_delta",
            "reserved_delta",
            "reason",
            "actor",
            "order_id",
            "created_at",
        ]
        read_only_fields = fields
