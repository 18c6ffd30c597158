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
from ecom_common.permissions import IsStaff
from orders import fulfilment, selectors, services
from orders.filters import OrderFilter
from orders.models import Order
from orders.serializers import (
    OrderCreateSerializer,
    OrderReturnSerializer,
    OrderSerializer,
    OrderShipSerializer,
    ReturnRequestSerializer,
)

IDEMPOTENCY_KEY = "Idempotency-Key"
OPTIONAL_IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_KEY,
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    required=False,
    description="A UUID; repeating the request with it returns the first answer.",
)
STAFF_ACTIONS = frozenset({"ship", "deliver", "receive"})


def _optional_idempotency_key(request) -> uuid.UUID | None:
    return _idempotency_key(request) if request.headers.get(IDEMPOTENCY_KEY) else None


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
    input_serializer_classes = {"ship": OrderShipSerializer, "returns": ReturnRequestSerializer}
    output_serializer_class = OrderSerializer
    output_serializer_classes = {"returns": OrderReturnSerializer, "receive": OrderReturnSerializer}
    permission_classes = [IsAuthenticated]

    def get_permissions(self):
        return [IsStaff()] if self.action in STAFF_ACTIONS else super().get_permissions()

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

    # ------------------------------------------------------------ fulfilment (staff)
    @extend_schema(summary="Ship a confirmed order (staff): carrier and tracking number")
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        payload = self.read_input()
        order = fulfilment.order_ship(order_id=self.get_object().id, **payload)
        return self.respond(self._fresh(order))

    @extend_schema(summary="Mark a shipped order delivered (staff); its return window opens", request=None)
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        order = fulfilment.order_deliver(order_id=self.get_object().id)
        return self.respond(self._fresh(order))

    # ------------------------------------------------------------ returns
    @extend_schema(
        methods=["get"], summary="The order's returns", request=None, responses=OrderReturnSerializer(many=True)
    )
    @extend_schema(
        methods=["post"],
        summary="Return some units of a delivered order (its customer, within the return window)",
        parameters=[OPTIONAL_IDEMPOTENCY_KEY],
        responses={201: OrderReturnSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def returns(self, request, pk=None):
        order = self.get_object()
        if request.method == "GET":
            return self.respond_page(order.returns.prefetch_related("lines__order_line"), apply_filters=False)
        order_return = fulfilment.return_request_once(
            order_id=order.id,
            user_id=request.user.id,
            idempotency_key=_optional_idempotency_key(request),
            **self.read_input(),
        )
        return self.respond(order_return, status_code=status.HTTP_201_CREATED)

    @extend_schema(summary="Receive a returned parcel (staff): refunds it and restocks its units", request=None)
    @action(detail=True, methods=["post"], url_path=r"returns/(?P<return_id>[0-9a-fA-F-]{36})/receive")
    def receive(self, request, pk=None, return_id=None):
        order_return = fulfilment.return_receive(order_id=self.get_object().id, return_id=return_id)
        return self.respond(order_return)

    def _fresh(self, order: Order) -> Order:
        """The order as the list reads it (lines and history prefetched, current status)."""
        return selectors.order_list(user_id=order.user_id).get(pk=order.pk)
