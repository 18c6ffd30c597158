"""Request and response bodies of the pricing API (staff set-up; shipping methods for all)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from pricing.models import DiscountKind, Promotion, ShippingMethod, TaxRate, Voucher, VoucherUse


def country_field(**options) -> serializers.RegexField:
    return serializers.RegexField(
        r"^[A-Z]{2}$",
        max_length=2,
        error_messages={"invalid": "Enter a two-letter country code in capitals, e.g. US."},
        **options,
    )


RULE_FIELDS = [
    "name",
    "kind",
    "value",
    "currency",
    "product_ids",
    "category_slugs",
    "brand_slugs",
    "min_subtotal",
    "starts_at",
    "ends_at",
    "is_active",
]


class RuleInputMixin(serializers.Serializer):
    product_ids = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=500)
    category_slugs = serializers.ListField(child=serializers.SlugField(max_length=140), required=False, max_length=100)
    brand_slugs = serializers.ListField(child=serializers.SlugField(max_length=140), required=False, max_length=100)

    def validate_product_ids(self, value):
        return [str(product_id) for product_id in value]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        merged = {**({f: getattr(self.instance, f) for f in RULE_FIELDS} if self.instance else {}), **attrs}
        if merged.get("kind") == DiscountKind.PERCENTAGE and merged.get("value", Decimal(0)) > 100:
            raise serializers.ValidationError({"value": "A percentage is at most 100."}, code="max_value")
        starts, ends = merged.get("starts_at"), merged.get("ends_at")
        if starts and ends and ends <= starts:
            raise serializers.ValidationError({"ends_at": "The end comes after the start."}, code="invalid")
        return attrs


@extend_schema_serializer(component_name="PromotionInput")
class PromotionInputSerializer(RuleInputMixin, serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=[DiscountKind.PERCENTAGE, DiscountKind.FIXED])

    class Meta:
        model = Promotion
        fields = [*RULE_FIELDS, "priority"]


@extend_schema_serializer(component_name="Promotion")
class PromotionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Promotion
        fields = ["id", *RULE_FIELDS, "priority", "created_at", "updated_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="VoucherInput")
class VoucherInputSerializer(RuleInputMixin, serializers.ModelSerializer):
    code = serializers.RegexField(r"^[A-Za-z0-9_-]{3,40}$", help_text="3-40 letters, digits, - or _; any case.")

    class Meta:
        model = Voucher
        fields = ["code", *RULE_FIELDS, "usage_limit", "per_customer_limit"]

    def validate_code(self, value: str) -> str:
        code = value.upper()
        taken = Voucher.objects.filter(code=code)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError("A voucher with this code exists.", code="unique")
        return code


@extend_schema_serializer(component_name="Voucher")
class VoucherOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Voucher
        fields = [
            "id",
            "code",
            *RULE_FIELDS,
            "usage_limit",
            "per_customer_limit",
            "used_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="VoucherUse")
class VoucherUseSerializer(serializers.ModelSerializer):
    class Meta:
        model = VoucherUse
        fields = ["order_id", "user_id", "amount", "created_at", "released_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="ShippingMethodInput")
class ShippingMethodInputSerializer(serializers.ModelSerializer):
    countries = serializers.ListField(child=country_field(), allow_empty=False, max_length=250)

    class Meta:
        model = ShippingMethod
        fields = ["name", "price", "currency", "free_above", "min_days", "max_days", "countries", "is_active"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        low = attrs.get("min_days", getattr(self.instance, "min_days", 1))
        high = attrs.get("max_days", getattr(self.instance, "max_days", 5))
        if low > high:
            raise serializers.ValidationError({"max_days": "At least min_days."}, code="invalid")
        return attrs


@extend_schema_serializer(component_name="ShippingMethod")
class ShippingMethodOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShippingMethod
        fields = ["id", "name", "price", "currency", "free_above", "min_days", "max_days", "countries", "is_active"]
        read_only_fields = fields


@extend_schema_serializer(component_name="TaxRateInput")
class TaxRateInputSerializer(serializers.ModelSerializer):
    country = country_field()

    class Meta:
        model = TaxRate
        fields = ["name", "country", "region", "rate", "applies_to_shipping"]


@extend_schema_serializer(component_name="TaxRate")
class TaxRateOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaxRate
        fields = ["id", "name", "country", "region", "rate", "applies_to_shipping", "created_at", "updated_at"]
        read_only_fields = fields
