"""HTTP interface of orders: checkout, the caller's orders (staff: all), cancellation."""

from django.conf import settings
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated

from ecom_common.apis import ApiViewSet
from ecom_common.errors import NotAllowedError
from ecom_common.idempotency import (
    IDEMPOTENCY_KEY,
    IDEMPOTENCY_KEY_ERROR_CODES,
    idempotency_key,
    idempotency_key_parameter,
)
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

OPTIONAL_IDEMPOTENCY_KEY = idempotency_key_parameter(
    required=False,
    description="A UUID; the same request again returns the first answer (status and body); "
    "another request with it is 409 idempotency_key_reused.",
)
STAFF_ACTIONS = frozenset({"ship", "deliver", "receive"})


@extend_schema_view(
    list=extend_schema(summary="The caller's orders (staff: everyone's), newest first"),
    retrieve=extend_schema(summary="An order with its status history"),
)
@extend_validation_errors(
    ["cart_empty", "duplicate_product", "currency_mismatch", "total_too_large"], field_name="items", actions=["create"]
)
@extend_validation_errors(IDEMPOTENCY_KEY_ERROR_CODES, field_name=IDEMPOTENCY_KEY, actions=["create", "returns"])
@extend_validation_errors(["unavailable", "variant_required"], field_name="items.INDEX.product_id", actions=["create"])
@extend_validation_errors(["unavailable", "required"], field_name="items.INDEX.variant_id", actions=["create"])
@extend_validation_errors(
    ["voucher_invalid", "voucher_expired", "voucher_used_up"], field_name="voucher_code", actions=["create"]
)
@extend_validation_errors(["shipping_method_invalid"], field_name="shipping_method_id", actions=["create"])
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
            idempotency_key_parameter(
                required=True,
                description="A UUID per checkout; the same body again returns the first answer (status and "
                "body) and places nothing more; another body with it is 409 idempotency_key_reused.",
            )
        ],
    )
    def create(self, request):
        key = idempotency_key(request, required=True)
        if settings.ORDER_REQUIRE_VERIFIED_EMAIL and not request.user.token.get("email_verified"):
            raise NotAllowedError(
                "Verify your e-mail address before checking out (the link is in your welcome mail).",
                code="email_not_verified",
            )
        order = services.order_place(user_id=request.user.id, idempotency_key=key, **self.read_input())
        if request.user.token.get("email"):
            # Staff see who ordered even when the account's events have not arrived yet.
            services.customer_save(user_id=request.user.id, email=request.user.token["email"], only_if_new=True)
        return self.respond_once(
            self._fresh(order), scope=f"checkout:{request.user.id}", key=key, status_code=status.HTTP_201_CREATED
        )

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
        key = idempotency_key(request, required=False)
        order_return = fulfilment.return_request_once(
            order_id=order.id, user_id=request.user.id, idempotency_key=key, **self.read_input()
        )
        return self.respond_once(
            order_return, scope=f"return:{order.id}", key=key, status_code=status.HTTP_201_CREATED
        )

    @extend_schema(summary="Receive a returned parcel (staff): refunds it and restocks its units", request=None)
    @action(detail=True, methods=["post"], url_path=r"returns/(?P<return_id>[0-9a-fA-F-]{36})/receive")
    def receive(self, request, pk=None, return_id=None):
        order_return = fulfilment.return_receive(order_id=self.get_object().id, return_id=return_id)
        return self.respond(order_return)

    def _fresh(self, order: Order) -> Order:
        """The order as the list reads it (lines and history prefetched, current status)."""
        return selectors.order_list(user_id=order.user_id).get(pk=order.pk)
