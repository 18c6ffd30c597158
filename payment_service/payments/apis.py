"""HTTP interface of payments: read-only, the caller's own payments (staff see all)."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.permissions import IsAuthenticated

from ecom_common.apis import ApiViewSet
from ecom_common.permissions import is_staff
from payments import selectors
from payments.filters import PaymentFilter
from payments.models import Payment
from payments.serializers import PaymentSerializer


@extend_schema_view(
    list=extend_schema(summary="List the caller's payments (staff: all)"),
    retrieve=extend_schema(summary="A payment of the caller's (staff: any)"),
)
class PaymentViewSet(ApiViewSet):
    output_serializer_class = PaymentSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = PaymentFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        user = self.request.user
        return selectors.payment_list(user_id=None if is_staff(user) else user.id)

    def list(self, request):
        return self.respond_page(self.get_queryset())

    def retrieve(self, request, pk=None):
        return self.respond(self.get_object())
