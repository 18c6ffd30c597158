import django_filters

from payments.models import Payment


class PaymentFilter(django_filters.FilterSet):
    order_id = django_filters.UUIDFilter(help_text="Only the payment of this order.")

    class Meta:
        model = Payment
        fields = ["order_id"]
