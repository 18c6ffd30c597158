"""What each service tells the order admin's dashboard (staff only, never routed by the gateway):
the health of its event bus, and its own figures (``STAFF_SUMMARY_FIGURES``, a dotted path to a
function returning a dict of JSON values)."""

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from ecom_common.apis import ApiViewSet
from ecom_common.models import DeadLetter, OutboxEvent
from ecom_common.permissions import IsStaff


def event_bus_figures() -> dict:
    pending = OutboxEvent.objects.filter(published_at__isnull=True)
    oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
    return {
        "dead_letters_open": DeadLetter.objects.filter(replayed_at__isnull=True).count(),
        "outbox_backlog": pending.count(),
        "outbox_oldest_seconds": round((timezone.now() - oldest).total_seconds()) if oldest else 0,
    }


def staff_summary() -> dict:
    figures = import_string(settings.STAFF_SUMMARY_FIGURES)() if settings.STAFF_SUMMARY_FIGURES else {}
    return {"service": settings.SERVICE_NAME, **event_bus_figures(), "figures": figures}


class StaffSummarySerializer(serializers.Serializer):
    service = serializers.CharField()
    dead_letters_open = serializers.IntegerField()
    outbox_backlog = serializers.IntegerField()
    outbox_oldest_seconds = serializers.IntegerField()
    figures = serializers.DictField()


class StaffSummaryViewSet(ApiViewSet):
    permission_classes = [IsStaff]
    output_serializer_class = StaffSummarySerializer

    @extend_schema(exclude=True)  # internal: the admins' dashboard, not the public API
    def retrieve(self, request):
        return self.respond(staff_summary())
