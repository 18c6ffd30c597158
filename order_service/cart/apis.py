"""HTTP interface of the cart: the caller's own cart only."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cart import selectors, services
from cart.models import CartItem
from cart.serializers import (
    CartItemAddSerializer,
    CartItemSerializer,
    CartItemUpdateSerializer,
    CartPricingSerializer,
    CartSerializer,
)
from ecom_common.apis import ApiViewSet


@extend_validation_errors(
    ["voucher_invalid", "voucher_expired", "voucher_used_up"], field_name="voucher_code", actions=["partial_update"]
)
@extend_validation_errors(["shipping_method_invalid"], field_name="shipping_method_id", actions=["partial_update"])
class CartViewSet(ApiViewSet):
    """The caller's cart."""

    # A singleton: mapped at cart/ with as_view (cart/urls.py), not on the router.

    output_serializer_class = CartSerializer
    input_serializer_class = CartPricingSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="The caller's cart, priced: promotions, voucher, shipping and tax")
    def retrieve(self, request):
        cart = services.cart_get_or_create(user_id=request.user.id)
        return self.respond(selectors.cart_summary(cart=cart))

    @extend_schema(summary="Apply a voucher, choose where it ships and how (each field only when given)")
    def partial_update(self, request):
        cart = services.cart_pricing_choose(user_id=request.user.id, data=self.read_input(partial=True))
        return self.respond(selectors.cart_summary(cart=cart))


@extend_schema_view(
    create=extend_schema(summary="Add a product to the cart (to its existing line, if any)"),
    partial_update=extend_schema(summary="Change a cart line's quantity"),
    destroy=extend_schema(summary="Remove a cart line"),
)
@extend_validation_errors(
    ["unavailable", "currency_mismatch", "variant_required"], field_name="product_id", actions=["create"]
)
@extend_validation_errors(
    ["unavailable", "currency_mismatch", "required"], field_name="variant_id", actions=["create"]
)
@extend_validation_errors(["invalid_quantity"], field_name="quantity", actions=["create", "partial_update"])
class CartItemViewSet(ApiViewSet):
    input_serializer_class = CartItemAddSerializer
    input_serializer_classes = {"partial_update": CartItemUpdateSerializer}
    output_serializer_class = CartItemSerializer
    permission_classes = [IsAuthenticated]
    queryset = CartItem.objects.none()  # lets the schema name the path parameter's type
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CartItem.objects.none()
        return selectors.cart_item_queryset(user_id=self.request.user.id)

    def create(self, request):
        item = services.cart_item_add(user_id=request.user.id, **self.read_input())
        return self.respond(item, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        item = self.get_object()
        quantity = self.read_input()["quantity"]
        return self.respond(services.cart_item_update(item=item, quantity=quantity))

    def destroy(self, request, pk=None):
        services.cart_item_delete(item=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
