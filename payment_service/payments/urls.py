from ecom_common.routers import ApiRouter
from payments.apis import PaymentViewSet

router = ApiRouter()
router.register("payments", PaymentViewSet, basename="payment")

urlpatterns = router.urls
