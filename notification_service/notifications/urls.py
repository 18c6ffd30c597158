from ecom_common.routers import ApiRouter
from notifications.apis import MessageViewSet

router = ApiRouter()
router.register("notifications", MessageViewSet, basename="notification")

urlpatterns = router.urls
