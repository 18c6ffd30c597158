"""Product images: validated by their content before anything is stored, kept through Django's
storage API (local files or an S3-compatible bucket), and resized by the worker, not the request.

Refused with a 400 on ``file`` and nothing stored: a file over IMAGE_MAX_BYTES (``too_large``),
one that is not a whole JPEG, PNG, WebP or GIF whatever its name (``invalid_image``: only those
formats' parsers ever run, and the pixels are decoded once, so a truncated file is refused here
rather than failing the worker's renditions forever), and an image of more than
IMAGE_MAX_PIXELS (``too_many_pixels``), read from its header before any decoding, so a small
file that would inflate to gigabytes (a decompression bomb) is never decoded.
"""

import io
import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from catalog.cache import catalog_cache_invalidate
from catalog.models import Product, ProductImage
from catalog.tasks import product_image_renditions_task
from ecom_common.enqueue import enqueue_or_leave_to_sweep

logger = logging.getLogger(__name__)

FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def _refused(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def image_inspect(upload) -> tuple[str, int, int]:
    """(format, width, height) of an uploaded file that is an image we take; else a ValidationError."""
    if upload.size > settings.IMAGE_MAX_BYTES:
        megabytes = settings.IMAGE_MAX_BYTES / (1024 * 1024)
        raise _refused(f"An image may be at most {megabytes:g} MB.", "too_large")
    try:
        upload.seek(0)
        with Image.open(upload, formats=sorted(FORMATS)) as image:  # reads the header only
            image_format, (width, height) = image.format, image.size
            if width * height > settings.IMAGE_MAX_PIXELS:
                raise _refused(f"An image may have at most {settings.IMAGE_MAX_PIXELS} pixels.", "too_many_pixels")
            image.verify()  # the file's structure, still without decoding the pixels
        upload.seek(0)
        with Image.open(upload, formats=sorted(FORMATS)) as image:  # verify() leaves it unusable
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))  # a JPEG decodes at 1/8 scale
            image.load()  # every byte of pixel data: a truncated file raises here
    except Image.DecompressionBombError:
        raise _refused(f"An image may have at most {settings.IMAGE_MAX_PIXELS} pixels.", "too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refused("Upload a JPEG, PNG, WebP or GIF image.", "invalid_image") from None
    if image_format not in FORMATS:
        raise _refused("Upload a JPEG, PNG, WebP or GIF image.", "invalid_image")
    upload.seek(0)
    return image_format, width, height


def image_form_check(upload) -> str:
    """``image_inspect`` for an admin form's field: the image's format, or the field's error."""
    try:
        return image_inspect(upload)[0]
    except ValidationError as error:
        raise ValidationError(error.message_dict["file"]) from None


def product_image_add(*, product: Product, file, alt: str = "", position: int | None = None) -> ProductImage:
    """Stores a validated image of the product; its renditions are made by the worker."""
    image_format, width, height = image_inspect(file)
    image = ProductImage(
        id=uuid.uuid4(),
        product=product,
        format=image_format,
        width=width,
        height=height,
        alt=alt,
        position=product.images.count() if position is None else position,
    )
    image.file.save(f"{image.id}", file, save=False)  # the path comes from upload_to
    try:
        with transaction.atomic():
            image.save()
            transaction.on_commit(lambda: renditions_enqueue(image.id))
            catalog_cache_invalidate()
    except Exception:
        default_storage.delete(image.file.name)  # nothing stays behind a failed save
        raise
    return image


@transaction.atomic
def product_image_update(*, image: ProductImage, data: dict) -> ProductImage:
    for field in ("alt", "position"):
        if field in data:
            setattr(image, field, data[field])
    image.save(update_fields=[field for field in ("alt", "position") if field in data])
    catalog_cache_invalidate()
    return image


@transaction.atomic
def product_image_delete(*, image: ProductImage) -> None:
    paths = [image.file.name, *image.renditions.values()]
    image.delete()
    catalog_cache_invalidate()
    transaction.on_commit(lambda: [default_storage.delete(path) for path in paths])


def renditions_enqueue(image_id: uuid.UUID) -> None:
    enqueue_or_leave_to_sweep(product_image_renditions_task, (str(image_id),), what=f"renditions of image {image_id}")


def renditions_make(*, image_id: uuid.UUID | str) -> dict[str, str]:
    """Makes the image's missing renditions (WebP, longest side per IMAGE_RENDITIONS) and records
    them; again for an image that has them all does nothing. Returns name -> path."""
    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None:
        return {}  # deleted meanwhile
    made = dict(image.renditions)
    missing = {name: size for name, size in settings.IMAGE_RENDITIONS.items() if name not in made}
    if not missing:
        return made
    with image.file.open("rb") as source, Image.open(source) as original:
        original.load()
        for name, size in missing.items():
            copy = original.convert("RGBA" if original.mode in ("RGBA", "LA", "P") else "RGB")
            copy.thumbnail((size, size))
            buffer = io.BytesIO()
            copy.save(buffer, format="WEBP", quality=82)
            path = f"renditions/{image.product_id}/{image.id}/{name}.webp"
            if default_storage.exists(path):
                default_storage.delete(path)
            made[name] = default_storage.save(path, ContentFile(buffer.getvalue()))
    ProductImage.objects.filter(pk=image.pk).update(renditions=made)
    catalog_cache_invalidate()
    return made


def renditions_sweep(*, older_than_seconds: int = 60) -> int:
    """Images still without every rendition a minute after upload (a lost task): made now."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    wanted = set(settings.IMAGE_RENDITIONS)
    done = 0
    for image in ProductImage.objects.filter(created_at__lte=cutoff).only("id", "renditions"):
        if not wanted <= set(image.renditions):
            try:
                renditions_make(image_id=image.id)
                done += 1
            except Exception:
                logger.exception("renditions failed", extra={"image_id": str(image.id)})
    return done
