import os

from celery import Celery

from ecom_common.events.worker import configure_celery_app

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notification_service.settings.local")

app = Celery("notification_service")
app.config_from_object("django.conf:settings", namespace="CELERY")
configure_celery_app(app)  # private task queue, event consumer, outbox sweeps
app.autodiscover_tasks()
