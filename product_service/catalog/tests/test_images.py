"""Product images: accepted by content, refused (400, nothing stored) when not an image, too big
or a decompression bomb; renditions made by the worker's task; served under /media/."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.models import ProductImage
from catalog.tasks import product_image_renditions_task
from catalog.tests.factories import ProductFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png(width: int = 640, height: int = 480, color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def bomb_png(width: int = 20000, height: int = 20000) -> bytes:
    """A PNG that says it is width x height but is a few bytes: decoding it would need gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    """A real JPEG cut off halfway: its header and structure read fine, its pixels do not."""
    buffer = io.BytesIO()
    Image.effect_noise((640, 480), 64).convert("RGB").save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


def bmp() -> bytes:
    """A bitmap: an image Pillow reads, of a format we do not take (its parser never runs)."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (1, 2, 3)).save(buffer, format="BMP")
    return buffer.getvalue()


def upload(client, product, content: bytes, name: str = "photo.png", **fields):
    file = SimpleUploadedFile(name, content, content_type="image/png")
    return client.post(f"/api/products/{product.id}/images/", {"file": file, **fields}, format="multipart")


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def test_staff_upload_an_image_and_the_worker_makes_its_renditions(staff_client, api_client, media):
    product = ProductFactory()

    response = upload(staff_client, product, png(1600, 1200), alt="The red one")
    image = ProductImage.objects.get()
    product_image_renditions_task.apply(args=(str(image.id),))
    detail = api_client.get(f"/api/products/{product.id}/").json()

    assert response.status_code == 201, response.json()
    assert {k: response.json()[k] for k in ("alt", "width", "height", "renditions")} == {
        "alt": "The red one",
        "width": 1600,
        "height": 1200,
        "renditions": {},
    }
    [shown] = detail["images"]
    assert shown["url"] == f"/media/products/{product.id}/{image.id}.png"
    assert set(shown["renditions"]) == {"thumbnail", "medium"}
    with Image.open(media / shown["renditions"]["thumbnail"].removeprefix("/media/")) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("WEBP", (200, 150))
    with Image.open(media / shown["renditions"]["medium"].removeprefix("/media/")) as medium:
        assert medium.size == (800, 600)
    served = api_client.get(shown["url"])
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == (media / shown["url"].removeprefix("/media/")).read_bytes()


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"just some text, not a picture", "photo.png", "invalid_image"),
        (bomb_png(), "bomb.png", "too_many_pixels"),
        (b"\0" * (20 * 1024 * 1024), "huge.png", "too_large"),
        (truncated_jpeg(), "cut.jpg", "invalid_image"),
        (bmp(), "picture.png", "invalid_image"),
    ],
    ids=["text-named-png", "20000x20000-png", "20-mb", "truncated-jpeg", "bmp"],
)
def test_what_is_not_an_acceptable_image_is_400_and_nothing_is_stored(staff_client, media, content, name, code):
    product = ProductFactory()

    response = upload(staff_client, product, content, name=name)

    assert response.status_code == 400
    assert [(error["attr"], error["code"]) for error in response.json()["errors"]] == [("file", code)]
    assert not ProductImage.objects.exists()
    assert stored_files(media) == []


def test_deleting_an_image_removes_its_files(staff_client, media, django_capture_on_commit_callbacks):
    product = ProductFactory()
    upload(staff_client, product, png())
    image = ProductImage.objects.get()
    product_image_renditions_task.apply(args=(str(image.id),))

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.delete(f"/api/products/{product.id}/images/{image.id}/")

    assert response.status_code == 204
    assert stored_files(media) == []
