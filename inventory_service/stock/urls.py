from ecom_common.routers import ApiRouter
from stock.apis import StockViewSet, WarehouseViewSet

router = ApiRouter()
router.register("inventory", StockViewSet, basename="stock")
router.register("warehouses", WarehouseViewSet, basename="warehouse")

urlpatterns = router.urls
