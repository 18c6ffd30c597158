from django.db.models import QuerySet

from notifications.models import Message


def message_list(*, user_id) -> QuerySet[Message]:
    """A customer's own messages, newest first (never another's, staff included)."""
    return Message.objects.filter(user_id=user_id).order_by("-created_at", "-pk")
