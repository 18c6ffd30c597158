"""The event bus in every service's admin: outbox, inbox (the saga's events in and out) and
dead letters, which staff can replay."""

from django.contrib import admin, messages

from ecom_common.events.dead_letters import DeadLetterNotReplayableError, dead_letter_replay
from ecom_common.models import DeadLetter, InboxEvent, OutboxEvent


class ReadOnlyAdminMixin:
    """For records that only the service's own code writes (events, payments, stock movements):
    staff see them, the domain's services change them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The rows of a record's parts, shown with it (``fields`` are all read-only)."""

    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ["type", "id", "created_at", "published_at", "attempts"]
    list_filter = ["type", ("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["id", "type", "envelope__correlation_id"]
    date_hierarchy = "created_at"


@admin.register(InboxEvent)
class InboxEventAdmin(ReadOnlyAdmin):
    list_display = ["event_type", "handler", "event_id", "correlation_id", "processed_at"]
    list_filter = ["event_type", "handler"]
    search_fields = ["event_id", "correlation_id"]
    date_hierarchy = "processed_at"


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnlyAdmin):
    list_display = ["event_type", "handler", "event_id", "attempts", "created_at", "replayed_at"]
    list_filter = ["event_type", "handler", ("replayed_at", admin.EmptyFieldListFilter)]
    search_fields = ["event_id", "handler", "error"]
    readonly_fields = [
        "handler",
        "event_id",
        "event_type",
        "envelope",
        "error",
        "attempts",
        "created_at",
        "replayed_at",
    ]
    actions = ["replay"]

    @admin.action(description="Replay the selected dead letters")
    def replay(self, request, queryset):
        replayed = 0
        for dead_letter in queryset.filter(replayed_at__isnull=True):
            try:
                dead_letter_replay(dead_letter)
            except DeadLetterNotReplayableError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            replayed += 1
        self.message_user(request, f"{replayed} dead letter(s) handed back to their handlers.", messages.SUCCESS)
