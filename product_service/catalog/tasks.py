"""Work the catalog's worker does: image renditions, after upload and in a periodic sweep."""

from celery import shared_task

from catalog import images
from ecom_common.enqueue import backoff_seconds
from ecom_common.events.tasks import PERIODIC_TASK_OPTIONS


@shared_task(bind=True, name=images.RENDITIONS_TASK, ignore_result=True, max_retries=5)
def product_image_renditions_task(self, image_id: str) -> None:
    try:
        images.renditions_make(image_id=image_id)
    except OSError as error:  # the storage is away: try again (the sweep is the last resort)
        raise self.retry(exc=error, countdown=backoff_seconds(self.request.retries)) from error


@shared_task(name="catalog.product_image_renditions_sweep", **PERIODIC_TASK_OPTIONS)
def product_image_renditions_sweep_task() -> int:
    return images.renditions_sweep()
