"""Work the catalog's worker does: image renditions, after upload and in a periodic sweep."""

from celery import shared_task
from django.conf import settings

from ecom_common.enqueue import backoff_seconds
from ecom_common.events.tasks import PERIODIC_TASK_OPTIONS
from ecom_common.events.worker import Periodic


# Named as before the rename: tasks already queued refer to it.
@shared_task(bind=True, name="catalog.product_image_renditions", ignore_result=True, max_retries=5)
def product_image_renditions_task(self, image_id: str) -> None:
    from catalog import images

    try:
        images.renditions_make(image_id=image_id)
    except OSError as error:  # the storage is away: try again (the sweep is the last resort)
        raise self.retry(exc=error, countdown=backoff_seconds(self.request.retries)) from error


@shared_task(name="catalog.product_image_renditions_sweep", **PERIODIC_TASK_OPTIONS)
def product_image_renditions_sweep_task() -> int:
    from catalog import images

    return images.renditions_sweep()


PERIODIC_TASKS = [
    Periodic(
        "product-image-renditions-sweep",
        product_image_renditions_sweep_task,
        seconds=settings.IMAGE_RENDITIONS_SWEEP_SECONDS,
    )
]
