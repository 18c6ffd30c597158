"""Request and response bodies of the inventory API."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from stock.models import Stock, StockMovement, Warehouse, WarehouseStock


@extend_schema_serializer(component_name="InventoryStock")
class StockSerializer(serializers.ModelSerializer):
    available = serializers.IntegerField(read_only=True, help_text="on_hand - reserved; never below zero.")

    class Meta:
        model = Stock
        fields = ["variant_id", "product_id", "on_hand", "reserved", "available", "low_stock_threshold"]
        read_only_fields = fields


@extend_schema_serializer(component_name="InventoryWarehouseStock")
class WarehouseStockSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="warehouse.code", read_only=True)
    available = serializers.IntegerField(read_only=True)

    class Meta:
        model = WarehouseStock
        fields = ["code", "on_hand", "reserved", "available"]
        read_only_fields = fields


@extend_schema_serializer(component_name="InventoryStaffStock")
class StaffStockSerializer(StockSerializer):
    """What staff see: the totals and each warehouse's part of them (in allocation order)."""

    warehouses = WarehouseStockSerializer(source="warehouse_stocks", many=True, read_only=True)

    class Meta(StockSerializer.Meta):
        fields = [*StockSerializer.Meta.fields, "warehouses"]
        read_only_fields = fields


WAREHOUSE_CODE_HELP = "A warehouse's code; by default the first active warehouse in priority order."


@extend_schema_serializer(component_name="InventoryStockAdjust")
class StockAdjustSerializer(serializers.Serializer):
    delta = serializers.IntegerField(help_text="Units to add to on_hand (negative removes); not zero.")
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    warehouse = serializers.SlugField(max_length=32, required=False, default="", help_text=WAREHOUSE_CODE_HELP)


@extend_schema_serializer(component_name="InventoryStockTransfer")
class StockTransferSerializer(serializers.Serializer):
    from_warehouse = serializers.SlugField(max_length=32, help_text="Code of the warehouse the units leave.")
    to_warehouse = serializers.SlugField(max_length=32, help_text="Code of the warehouse they go to.")
    quantity = serializers.IntegerField(min_value=1, help_text="Available units to move (held ones stay).")
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="InventoryStockMovement")
class StockMovementSerializer(serializers.ModelSerializer):
    variant_id = serializers.UUIDField(read_only=True)
    warehouse = serializers.CharField(source="warehouse.code", read_only=True, help_text="The warehouse's code.")

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "variant_id",
            "warehouse",
            "kind",
            "on_hand_delta",
            "reserved_delta",
            "reason",
            "actor",
            "order_id",
            "transfer_id",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="InventoryWarehouseInput")
class WarehouseInputSerializer(serializers.ModelSerializer):
    country = serializers.RegexField(
        r"^[A-Z]{2}$",
        max_length=2,
        help_text="ISO 3166-1 alpha-2 code in capitals, e.g. US.",
        error_messages={"invalid": "Enter a two-letter country code in capitals, e.g. US."},
    )

    class Meta:
        model = Warehouse
        fields = ["code", "name", "country", "priority", "is_active"]


@extend_schema_serializer(component_name="InventoryWarehouse")
class WarehouseOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["code", "name", "country", "priority", "is_active", "created_at", "updated_at"]
        read_only_fields = fields
