from django.urls import path
from rest_framework.routers import DefaultRouter

from cart.apis import CartApi, CartItemViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("cart/items", CartItemViewSet, basename="cart-item")

urlpatterns = [
    path("cart/", CartApi.as_view(), name="cart"),
    *router.urls,
]
