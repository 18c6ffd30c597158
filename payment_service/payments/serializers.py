"""Response bodies of the payments API."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from payments.models import Payment


@extend_schema_serializer(component_name="PaymentsPayment")
class PaymentSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        choices=Payment.Status.choices,
        read_only=True,
        help_text=(
            "Final: succeeded, failed, partially_refunded (some returned units refunded) or "
            "refunded. While the charge runs: processing; voided when the order was cancelled "
            "before it was charged."
        ),
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "order_id",
            "amount",
            "currency",
            "status",
            "refunded_amount",
            "provider_reference",
            "created_at",
        ]
        read_only_fields = fields
