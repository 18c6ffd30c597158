"""HTTP interface of orders: checkout, the caller's orders (staff: all), cancellation."""

import uuid

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated

from ecom_common.apis import ApiViewSet
from orders import selectors, services
from orders.filters import OrderFilter
from orders.models import Order
from orders.serializers import OrderCreateSerializer, OrderSerializer

IDEMPOTENCY_KEY = "Idempotency-Key"


def _idempotency_key(request) -> uuid.UUID:
    value = request.headers.get(IDEMPOTENCY_KEY)
    if not value:
        raise ValidationError({IDEMPOTENCY_KEY: ["This header is required."]}, code="required")
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationError({IDEMPOTENCY_KEY: ["Must be a UUID."]}, code="invalid") from None


@extend_schema_view(
    list=extend_schema(summary="The caller's orders (staff: everyone's), newest first"),
    retrieve=extend_schema(summary="An order with its status history"),
)
@extend_validation_errors(
    ["cart_empty", "duplicate_product", "currency_mismatch", "total_too_large"], field_name="items", actions=["create"]
)
@extend_validation_errors(["required", "invalid"], field_name=IDEMPOTENCY_KEY, actions=["create"])
@extend_validation_errors(["unavailable"], field_name="items.INDEX.product_id", actions=["create"])
class OrderViewSet(ApiViewSet):
    input_serializer_class = OrderCreateSerializer
    output_serializer_class = OrderSerializer
    permission_classes = [IsAuthenticated]
    queryset = Order.objects.none()  # lets the schema name the path parameter's type
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrderFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        user = self.request.user
        return selectors.order_list(user_id=user.id, include_all=user.is_staff)

    def list(self, request):
        return self.respond_page(self.get_queryset())

    def retrieve(self, request, pk=None):
        return self.respond(self.get_object())

    @extend_schema(
        summary="Check out: place an order for the items given, or for the cart",
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_KEY,
                OpenApiTypes.UUID,
                OpenApiParameter.HEADER,
                required=True,
                description="A UUID per checkout; repeating it with the same body returns the same order.",
            )
        ],
    )
    def create(self, request):
        idempotency_key = _idempotency_key(request)
        order = services.order_place(user_id=request.user.id, idempotency_key=idempotency_key, **self.read_input())
        return self.respond(self._fresh(order), status_code=status.HTTP_201_CREATED)

    @extend_schema(summary="Cancel a pending or confirmed order (owner or staff)", request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = services.order_cancel(order_id=self.get_object().id)
        return self.respond(self._fresh(order))

    def _fresh(self, order: Order) -> Order:
        """The order as the list reads it (lines and history prefetched, current status)."""
        return selectors.order_list(user_id=order.user_id).get(pk=order.pk)
