"""The built-in provider is a sandbox, named for what it is; its ledger keeps its rows."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RenameModel(old_name="TestProviderCharge", new_name="SandboxCharge")]
