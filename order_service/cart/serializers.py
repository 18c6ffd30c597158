"""Request and response bodies of the cart API."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from cart.models import MAX_QUANTITY
from ecom_common.money import MONEY_MAX_DIGITS, money_field


@extend_schema_serializer(component_name="CartItem")
class CartItemSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    variant_id = serializers.UUIDField(read_only=True)
    product_id = serializers.UUIDField(source="variant.product_id", read_only=True)
    sku = serializers.CharField(source="variant.sku", read_only=True)
    name = serializers.CharField(source="variant.display_name", read_only=True)
    attributes = serializers.DictField(source="variant.attributes", child=serializers.CharField(), read_only=True)
    unit_price = money_field(source="variant.price", max_digits=MONEY_MAX_DIGITS)
    quantity = serializers.IntegerField(read_only=True)
    line_total = money_field()


@extend_schema_serializer(component_name="Discount")
class DiscountSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, allow_null=True, help_text="The voucher's code; null: a promotion.")
    name = serializers.CharField(read_only=True)
    amount = money_field()
    source = serializers.ChoiceField(choices=["promotion", "voucher"], read_only=True)


@extend_schema_serializer(component_name="ChosenShippingMethod")
class ChosenShippingMethodSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    price = money_field(help_text="What it costs this order (0.00 above its free-shipping threshold).")


@extend_schema_serializer(component_name="AppliedTax")
class AppliedTaxSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    rate = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True, help_text="A percentage.")


class PricedSerializer(serializers.Serializer):
    """The breakdown every priced thing shows (pricing/calculate.py)."""

    subtotal = money_field(help_text="The lines at their prices.")
    discount_total = money_field(help_text="Every discount, shipping's included.")
    shipping_total = money_field()
    tax_total = money_field(help_text="Included in the prices when tax_included, else added.")
    total = money_field(
        help_text="subtotal - discount_total + shipping_total + tax_total (without the tax when tax_included)."
    )
    currency = serializers.CharField(read_only=True)
    tax_included = serializers.BooleanField(read_only=True)
    discounts = DiscountSerializer(many=True, read_only=True)
    shipping_method = ChosenShippingMethodSerializer(read_only=True, allow_null=True)
    tax = AppliedTaxSerializer(read_only=True, allow_null=True)


@extend_schema_serializer(component_name="VoucherError")
class VoucherErrorSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    detail = serializers.CharField(read_only=True)


@extend_schema_serializer(component_name="Cart")
class CartSerializer(PricedSerializer):
    id = serializers.UUIDField(read_only=True)
    items = CartItemSerializer(many=True, read_only=True)
    voucher_code = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True, help_text="Where it ships (PATCH it): shipping and tax follow.")
    region = serializers.CharField(read_only=True)
    voucher_error = VoucherErrorSerializer(
        read_only=True, allow_null=True, help_text="Why the cart's voucher no longer applies (it is left out)."
    )


@extend_schema_serializer(component_name="CartPricing")
class CartPricingSerializer(serializers.Serializer):
    voucher_code = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="Empty removes it."
    )
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, allow_blank=True, help_text="ISO 3166-1 alpha-2."
    )
    region = serializers.CharField(max_length=64, required=False, allow_blank=True)
    shipping_method_id = serializers.UUIDField(required=False, allow_null=True)


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
