from rest_framework import serializers

from notifications.models import Message


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "kind", "subject", "status", "created_at", "sent_at"]
        read_only_fields = fields
