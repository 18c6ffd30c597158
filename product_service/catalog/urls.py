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
from ecom_common.routers import UUID_PATTERN, ApiRouter

router = ApiRouter()
router.register("products", ProductViewSet, basename="product")
router.register(f"products/(?P<product_pk>{UUID_PATTERN})/variants", VariantViewSet, basename="variant")
router.register(f"products/(?P<product_pk>{UUID_PATTERN})/reviews", ReviewViewSet, basename="review")
router.register(f"products/(?P<product_pk>{UUID_PATTERN})/images", ProductImageViewSet, basename="product-image")
router.register("categories", CategoryViewSet, basename="category")
router.register("brands", BrandViewSet, basename="brand")
router.register("attributes", AttributeViewSet, basename="attribute")
router.register("product-types", ProductTypeViewSet, basename="product-type")

urlpatterns = router.urls
