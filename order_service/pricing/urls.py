from ecom_common.routers import ApiRouter
from pricing.apis import PromotionViewSet, ShippingMethodViewSet, TaxRateViewSet, VoucherViewSet

router = ApiRouter()
router.register("promotions", PromotionViewSet, basename="promotion")
router.register("vouchers", VoucherViewSet, basename="voucher")
router.register("shipping-methods", ShippingMethodViewSet, basename="shipping-method")
router.register("tax-rates", TaxRateViewSet, basename="tax-rate")

urlpatterns = router.urls
