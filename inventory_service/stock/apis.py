"""HTTP interface of inventory: thin views over selectors and services."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from ecom_common.permissions import IsStaff
from stock import selectors, services
from stock.serializers import StockAdjustSerializer, StockMovementSerializer, StockSerializer

PRODUCT_ID = OpenApiParameter("product_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The product's id.")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Retrying with the same key applies the adjustment once.",
)


def _stock_or_404(product_id):
    stock = selectors.stock_get(product_id=product_id)
    if stock is None:
        raise Http404
    return stock


class StockDetailApi(generics.GenericAPIView):
    serializer_class = StockSerializer
    permission_classes = [AllowAny]

    @extend_schema(summary="A product's stock", parameters=[PRODUCT_ID])
    def get(self, request, product_id):
        return Response(StockSerializer(_stock_or_404(product_id)).data)


@extend_validation_errors(["zero", "insufficient_stock"], field_name="delta", methods=["post"])
class StockAdjustApi(generics.GenericAPIView):
    serializer_class = StockAdjustSerializer
    permission_classes = [IsStaff]

    @extend_schema(
        summary="Add or remove units on hand (staff); creates the stock record if absent",
        parameters=[PRODUCT_ID, IDEMPOTENCY_KEY],
        request=StockAdjustSerializer,
        responses={200: StockSerializer},
    )
    def post(self, request, product_id):
        serializer = StockAdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stock = services.stock_adjust(
            product_id=product_id,
            delta=serializer.validated_data["delta"],
            reason=serializer.validated_data["reason"],
            actor=str(request.user.id),
            idempotency_key=request.headers.get("Idempotency-Key", "").strip()[:255] or None,
        )
        return Response(StockSerializer(stock).data)


class StockMovementListApi(generics.ListAPIView):
    serializer_class = StockMovementSerializer
    permission_classes = [IsStaff]
    filter_backends = []

    @extend_schema(summary="A product's stock movements, newest first (staff)", parameters=[PRODUCT_ID])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.stock_movement_list(product_id=None).none()
        return selectors.stock_movement_list(product_id=_stock_or_404(self.kwargs["product_id"]).product_id)
