from catalog.apis import (
    AttributeViewSet,
    BrandViewSet,
    CategoryViewSet,
    ProductImageViewSet,
    ProductTypeViewSet,
    ProductViewSet,
    ReviewViewSet,
    VariantViewSet,
)
from ecom_common.routers import ApiRouter

router = ApiRouter()
router.register("products", ProductViewSet, basename="product")
router.register(r"products/(?P<product_pk>[0-9a-fA-F-]{36})/variants", VariantViewSet, basename="variant")
router.register(r"products/(?P<product_pk>[0-9a-fA-F-]{36})/reviews", ReviewViewSet, basename="review")
router.register(r"products/(?P<product_pk>[0-9a-fA-F-]{36})/images", ProductImageViewSet, basename="product-image")
router.register("categories", CategoryViewSet, basename="category")
router.register("brands", BrandViewSet, basename="brand")
router.register("attributes", AttributeViewSet, basename="attribute")
router.register("product-types", ProductTypeViewSet, basename="product-type")

urlpatterns = router.urls
