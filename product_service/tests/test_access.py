"""Who may call each endpoint (ecom_common.testing.access_tests walks the URL conf)."""

from ecom_common.testing.access_tests import *  # noqa: F403

ACCESS = {
    "schema": "public",
    "swagger-ui": "public",
    "product-list": "staff-write",
    "product-detail": "staff-write",
    "category-list": "staff-write",
    "category-detail": "staff-write",
    "variant-list": "staff-write",
    "variant-detail": "staff-write",
    "brand-list": "staff-write",
    "brand-detail": "staff-write",
    "attribute-list": "staff-write",
    "attribute-detail": "staff-write",
    "product-type-list": "staff-write",
    "product-type-detail": "staff-write",
    "review-list": "signed-in-write",
    "product-image-list": "staff-write",
    "product-image-detail": "staff-write",
}
