"""CancelledOrder becomes PaymentOrder: one row per order this service has heard of, the per-order
lock (instead of a PostgreSQL advisory lock) and the memory of a cancellation. Cancelled orders
are carried over with their cancellation time."""

from django.db import migrations, models


def cancelled_orders_carry_over(apps, schema_editor):
    CancelledOrder = apps.get_model("payments", "CancelledOrder")
    PaymentOrder = apps.get_model("payments", "PaymentOrder")
    PaymentOrder.objects.bulk_create(
        PaymentOrder(order_id=row.order_id, cancelled_at=row.cancelled_at, created_at=row.cancelled_at)
        for row in CancelledOrder.objects.iterator()
    )


def cancelled_orders_carry_back(apps, schema_editor):
    CancelledOrder = apps.get_model("payments", "CancelledOrder")
    PaymentOrder = apps.get_model("payments", "PaymentOrder")
    rows = PaymentOrder.objects.filter(cancelled_at__isnull=False).iterator()
    CancelledOrder.objects.bulk_create(CancelledOrder(order_id=row.order_id) for row in rows)


class Migration(migrations.Migration):
    dependencies = [("payments", "0004_partial_refunds")]

    operations = [
        migrations.CreateModel(
            name="PaymentOrder",
            fields=[
                ("order_id", models.UUIDField(primary_key=True, serialize=False)),
                ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"abstract": False},
        ),
        migrations.RunPython(cancelled_orders_carry_over, cancelled_orders_carry_back),
        migrations.DeleteModel(name="CancelledOrder"),
    ]
