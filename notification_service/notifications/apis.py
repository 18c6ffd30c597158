"""HTTP interface of notifications: read-only, the caller's own messages."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.permissions import IsAuthenticated

from ecom_common.apis import ApiViewSet
from notifications import selectors
from notifications.models import Message
from notifications.serializers import MessageSerializer


@extend_schema_view(
    list=extend_schema(summary="List the messages sent to the caller"),
    retrieve=extend_schema(summary="A message sent to the caller"),
)
class MessageViewSet(ApiViewSet):
    output_serializer_class = MessageSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        return selectors.message_list(user_id=self.request.user.id)

    def list(self, request):
        return self.respond_page(self.get_queryset())

    def retrieve(self, request, pk=None):
        return self.respond(self.get_object())
