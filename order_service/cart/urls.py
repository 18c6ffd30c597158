from django.urls import path

from cart.apis import CartApi, CartItemViewSet
from ecom_common.routers import ApiRouter

router = ApiRouter()
router.register("cart/items", CartItemViewSet, basename="cart-item")

urlpatterns = [
    path("cart/", CartApi.as_view(), name="cart"),
    *router.urls,
]
