"""HTTP interface of inventory: a variant's stock, staff adjustments and its movements."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny

from ecom_common.apis import ApiViewSet
from ecom_common.idempotency import (
    IDEMPOTENCY_KEY,
    IDEMPOTENCY_KEY_ERROR_CODES,
    idempotency_key,
    idempotency_key_parameter,
)
from ecom_common.permissions import IsStaff
from ecom_common.routers import UUID_PATTERN
from stock import selectors, services
from stock.models import Stock
from stock.serializers import StockAdjustSerializer, StockMovementSerializer, StockSerializer

VARIANT_ID = OpenApiParameter(
    "variant_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The variant's id (for a product without variants, the product's id).",
)
ADJUST_IDEMPOTENCY_KEY = idempotency_key_parameter(
    required=False, description="A UUID; retrying with the same key applies the adjustment once."
)


def _stock_or_404(variant_id) -> Stock:
    stock = selectors.stock_get(variant_id=variant_id)
    if stock is None:
        raise Http404
    return stock


@extend_schema_view(
    retrieve=extend_schema(summary="A variant's stock", parameters=[VARIANT_ID]),
    adjust=extend_schema(
        summary="Add or remove units on hand (staff); creates the stock record if absent",
        parameters=[VARIANT_ID, ADJUST_IDEMPOTENCY_KEY],
    ),
    movements=extend_schema(
        summary="A variant's stock movements, newest first (staff)",
        parameters=[VARIANT_ID],
        responses=StockMovementSerializer(many=True),  # a list: paginated, like every list
    ),
)
@extend_validation_errors(["zero", "insufficient_stock"], field_name="delta", actions=["adjust"])
@extend_validation_errors(IDEMPOTENCY_KEY_ERROR_CODES, field_name=IDEMPOTENCY_KEY, actions=["adjust"])
class StockViewSet(ApiViewSet):
    output_serializer_class = StockSerializer
    input_serializer_classes = {"adjust": StockAdjustSerializer}
    output_serializer_classes = {"movements": StockMovementSerializer}
    queryset = Stock.objects.none()  # lets the schema name the path parameter's type
    lookup_field = "variant_id"
    lookup_value_regex = UUID_PATTERN
    filter_backends = []

    def get_permissions(self):
        return [AllowAny()] if self.action == "retrieve" else [IsStaff()]

    def retrieve(self, request, variant_id=None):
        return self.respond(_stock_or_404(variant_id))

    @action(detail=True, methods=["post"])
    def adjust(self, request, variant_id=None):
        payload = self.read_input()
        key = idempotency_key(request, required=False)
        stock = services.stock_adjust(
            variant_id=variant_id,
            delta=payload["delta"],
            reason=payload["reason"],
            actor=str(request.user.id),
            idempotency_key=str(key) if key else None,
        )
        return self.respond(stock)

    @action(detail=True, methods=["get"], url_name="movement-list")
    def movements(self, request, variant_id=None):
        stock = _stock_or_404(variant_id)
        return self.respond_page(selectors.stock_movement_list(variant_id=stock.variant_id))
