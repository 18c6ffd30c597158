"""Order.stock_committed_at: a confirmed order ships only once inventory committed its stock.

Orders paid before this field existed keep shipping as they did: their commit is taken as made
when they were last updated (inventory commits within seconds of the confirmation)."""

from django.db import migrations, models
from django.db.models import F


def orders_paid_before_count_as_committed(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Order.objects.filter(status__in=["confirmed", "shipped", "delivered", "returned"]).update(
        stock_committed_at=F("updated_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_customers"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="stock_committed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(orders_paid_before_count_as_committed, migrations.RunPython.noop),
    ]
