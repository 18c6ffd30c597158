from ecom_common.routers import ApiRouter
from stock.apis import StockViewSet

router = ApiRouter()
router.register("inventory", StockViewSet, basename="stock")

urlpatterns = router.urls
