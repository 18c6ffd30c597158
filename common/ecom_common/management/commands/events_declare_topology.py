from celery import current_app
from django.core.management.base import BaseCommand

from ecom_common.events.topology import topology_declare


class Command(BaseCommand):
    help = "Declares this service's exchanges, queues, bindings and dead-letter queue on the broker."

    def handle(self, *args, **options):
        with current_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=10)
            declared = topology_declare(connection)
        if options["verbosity"]:
            self.stdout.write(f"Declared {len(declared)} exchanges and queues: {', '.join(declared)}")
