from django.urls import path

from cart.apis import CartItemViewSet, CartViewSet
from ecom_common.routers import ApiRouter

router = ApiRouter()
router.register("cart/items", CartItemViewSet, basename="cart-item")

urlpatterns = [
    path("cart/", CartViewSet.as_view({"get": "retrieve", "patch": "partial_update"}), name="cart"),
    *router.urls,
]
