from ecom_common.routers import ApiRouter
from orders.apis import OrderViewSet

router = ApiRouter()
router.register("orders", OrderViewSet, basename="order")

urlpatterns = router.urls
