from rest_framework.routers import DefaultRouter

from payments.apis import PaymentViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("payments", PaymentViewSet, basename="payment")

urlpatterns = router.urls
