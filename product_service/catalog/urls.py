from catalog.apis import CategoryViewSet, ProductViewSet
from ecom_common.routers import ApiRouter

router = ApiRouter()
router.register("products", ProductViewSet, basename="product")
router.register("categories", CategoryViewSet, basename="category")

urlpatterns = router.urls
