"""HTTP interface of pricing: staff manage promotions, vouchers, shipping methods and tax rates;
anyone lists the shipping methods that deliver to a country."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny

from ecom_common.apis import CrudViewSet
from ecom_common.permissions import IsStaff
from ecom_common.routers import UUID_PATTERN
from pricing import services
from pricing.models import Promotion, ShippingMethod, TaxRate, Voucher
from pricing.serializers import (
    PromotionInputSerializer,
    PromotionOutputSerializer,
    ShippingMethodInputSerializer,
    ShippingMethodOutputSerializer,
    TaxRateInputSerializer,
    TaxRateOutputSerializer,
    VoucherInputSerializer,
    VoucherOutputSerializer,
    VoucherUseSerializer,
)

WRITES = ["create", "update", "partial_update"]


class _CrudViewSet(CrudViewSet):
    """Staff CRUD of a set-up model: the validated body is the model's fields."""

    permission_classes = [IsStaff]
    filter_backends = []
    in_use = "It is in use; deactivate it instead."

    def create_object(self, data):
        return services.setup_create(model=self.get_queryset().model, data=data)

    def update_object(self, instance, data):
        return services.setup_update(instance=instance, data=data)

    def delete_object(self, instance):
        services.setup_delete(instance=instance, in_use=self.in_use)


def _crud_schema(noun: str, plural: str, **extra):
    views = {
        "list": extend_schema(summary=f"List {plural} (staff)"),
        "retrieve": extend_schema(summary=f"A {noun} (staff)"),
        "create": extend_schema(summary=f"Create a {noun} (staff)"),
        "update": extend_schema(summary=f"Replace a {noun} (staff)"),
        "partial_update": extend_schema(summary=f"Update a {noun} (staff)"),
        "destroy": extend_schema(summary=f"Delete a {noun} (staff)"),
    }
    return extend_schema_view(**{**views, **extra})


@_crud_schema("promotion (applied automatically)", "promotions")
@extend_validation_errors(["max_value"], field_name="value", actions=WRITES)
@extend_validation_errors(["invalid"], field_name="ends_at", actions=WRITES)
class PromotionViewSet(_CrudViewSet):
    input_serializer_class = PromotionInputSerializer
    output_serializer_class = PromotionOutputSerializer
    queryset = Promotion.objects.all()
    lookup_value_regex = UUID_PATTERN


@_crud_schema(
    "voucher (a code)",
    "vouchers",
    uses=extend_schema(summary="A voucher's uses, newest first (staff)", responses=VoucherUseSerializer(many=True)),
)
@extend_validation_errors(["max_value"], field_name="value", actions=WRITES)
@extend_validation_errors(["invalid"], field_name="ends_at", actions=WRITES)
@extend_validation_errors(["unique"], field_name="code", actions=WRITES)
class VoucherViewSet(_CrudViewSet):
    input_serializer_class = VoucherInputSerializer
    output_serializer_class = VoucherOutputSerializer
    output_serializer_classes = {"uses": VoucherUseSerializer}
    queryset = Voucher.objects.all()
    lookup_value_regex = UUID_PATTERN
    in_use = "This voucher has been used; deactivate it instead."

    @action(detail=True, methods=["get"], url_name="use-list")
    def uses(self, request, pk=None):
        return self.respond_page(self.get_object().uses.order_by("-created_at", "-id"), apply_filters=False)


COUNTRY = OpenApiParameter(
    "country", OpenApiTypes.STR, OpenApiParameter.QUERY, description="ISO code, e.g. US: the methods delivering there."
)


@_crud_schema(
    "shipping method",
    "shipping methods",
    list=extend_schema(
        summary="Shipping methods (anyone; with ?country=, those delivering there, cheapest first)",
        parameters=[COUNTRY],
    ),
)
@extend_validation_errors(["invalid"], field_name="max_days", actions=WRITES)
class ShippingMethodViewSet(_CrudViewSet):
    input_serializer_class = ShippingMethodInputSerializer
    output_serializer_class = ShippingMethodOutputSerializer
    queryset = ShippingMethod.objects.all()
    lookup_value_regex = UUID_PATTERN

    def get_permissions(self):
        return [AllowAny()] if self.action == "list" else [IsStaff()]

    def list(self, request):
        country = request.query_params.get("country")
        if country:
            return self.respond_page(services.shipping_methods_for(country=country))
        if getattr(request.user, "is_staff", False):
            return self.respond_page(self.get_queryset())
        return self.respond_page(list(ShippingMethod.objects.filter(is_active=True)))


@_crud_schema("tax rate (per country, optionally region)", "tax rates")
@extend_validation_errors(["unique"], field_name="non_field_errors", actions=WRITES)
class TaxRateViewSet(_CrudViewSet):
    input_serializer_class = TaxRateInputSerializer
    output_serializer_class = TaxRateOutputSerializer
    queryset = TaxRate.objects.all()
