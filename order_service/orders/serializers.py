"""Request and response bodies of the orders API."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from cart.models import MAX_QUANTITY
from cart.serializers import (
    AppliedTaxSerializer,
    ChosenShippingMethodSerializer,
    DiscountSerializer,
    VariantChoiceMixin,
)
from ecom_common.money import PAYMENT_TOKEN_MAX_LENGTH
from orders.models import Order, OrderLine, OrderReturn, OrderReturnLine, OrderStatusChange, Shipment


@extend_schema_serializer(component_name="ShippingAddress")
class ShippingAddressSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=20)
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        help_text="ISO 3166-1 alpha-2 code, e.g. US.",
        error_messages={"invalid": "Enter a two-letter ISO 3166-1 country code."},
    )

    def validate_country(self, value: str) -> str:
        return value.upper()


@extend_schema_serializer(component_name="OrderItemInput")
class OrderItemInputSerializer(VariantChoiceMixin, serializers.Serializer):
    variant_id = serializers.UUIDField(required=False, help_text="The variant to buy.")
    product_id = serializers.UUIDField(required=False, help_text="Instead of variant_id: a product with one variant.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


@extend_schema_serializer(component_name="OrderCreate")
class OrderCreateSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=OrderItemInputSerializer(),
        required=False,
        allow_empty=False,
        max_length=100,
        help_text="Omit to check out the cart.",
    )
    shipping_address = ShippingAddressSerializer()
    payment_token = serializers.CharField(
        max_length=PAYMENT_TOKEN_MAX_LENGTH, help_text="The payment provider's token, e.g. tok_visa."
    )
    voucher_code = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="A voucher code (any case); for the cart, its own."
    )
    shipping_method_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="One of GET /api/shipping-methods/?country= for the address; by default the cheapest.",
    )


@extend_schema_serializer(component_name="OrderLine")
class OrderLineSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True, help_text="Names the line in a return.")

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "variant_id",
            "product_id",
            "sku",
            "name",
            "unit_price",
            "quantity",
            "line_total",
            "discount_total",
            "tax_total",
            "paid_total",
        ]


@extend_schema_serializer(component_name="OrderStatusChange")
class OrderStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderStatusChange
        fields = ["status", "at", "reason"]


@extend_schema_serializer(component_name="Shipment")
class ShipmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shipment
        fields = ["carrier", "tracking_number", "shipped_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="OrderShip")
class OrderShipSerializer(serializers.Serializer):
    carrier = serializers.CharField(max_length=100)
    tracking_number = serializers.CharField(max_length=100)


@extend_schema_serializer(component_name="ReturnLineInput")
class ReturnLineInputSerializer(serializers.Serializer):
    line_id = serializers.UUIDField(help_text="An order line's id.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


@extend_schema_serializer(component_name="ReturnRequest")
class ReturnRequestSerializer(serializers.Serializer):
    lines = serializers.ListField(child=ReturnLineInputSerializer(), allow_empty=False, max_length=100)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="ReturnLine")
class ReturnLineSerializer(serializers.ModelSerializer):
    line_id = serializers.UUIDField(source="order_line.public_id", read_only=True)
    variant_id = serializers.UUIDField(source="order_line.variant_id", read_only=True)
    product_id = serializers.UUIDField(source="order_line.product_id", read_only=True)

    class Meta:
        model = OrderReturnLine
        fields = ["line_id", "variant_id", "product_id", "quantity"]
        read_only_fields = fields


@extend_schema_serializer(component_name="OrderReturn")
class OrderReturnSerializer(serializers.ModelSerializer):
    order_id = serializers.UUIDField(read_only=True)
    lines = ReturnLineSerializer(many=True, read_only=True)

    class Meta:
        model = OrderReturn
        fields = [
            "id",
            "order_id",
            "status",
            "lines",
            "reason",
            "refund_amount",
            "created_at",
            "received_at",
            "refunded_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="Order")
class OrderSerializer(serializers.ModelSerializer):
    items = OrderLineSerializer(source="lines", many=True, read_only=True)
    discounts = DiscountSerializer(source="pricing.discounts", many=True, read_only=True, default=list)
    tax_included = serializers.BooleanField(source="pricing.tax_included", read_only=True, default=False)
    shipping_method = ChosenShippingMethodSerializer(
        source="pricing.shipping_method", read_only=True, allow_null=True, default=None
    )
    tax = AppliedTaxSerializer(source="pricing.tax", read_only=True, allow_null=True, default=None)
    shipping_address = ShippingAddressSerializer(read_only=True)
    status_history = OrderStatusChangeSerializer(many=True, read_only=True)
    shipment = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "status",
            "items",
            "subtotal",
            "discount_total",
            "shipping_total",
            "tax_total",
            "total",
            "currency",
            "tax_included",
            "discounts",
            "voucher_code",
            "shipping_method",
            "tax",
            "shipping_address",
            "cancel_reason",
            "status_history",
            "shipment",
            "delivered_at",
            "stock_committed_at",
            "refunded_total",
            "refund_status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "stock_committed_at": {
                "help_text": "When inventory committed the units; until then it cannot ship (409)."
            },
            "refund_status": {
                "help_text": "pending: a paid order was cancelled, or a return received, and payment has not "
                "refunded it yet; refunded: it has (refunded_total); none: nothing is owed."
            },
        }

    @extend_schema_field(ShipmentSerializer(allow_null=True))
    def get_shipment(self, order: Order) -> dict | None:
        shipment = getattr(order, "shipment", None)  # no shipment yet: Django raises an AttributeError
        return ShipmentSerializer(shipment).data if shipment is not None else None
