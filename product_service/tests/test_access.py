"""Who may call each endpoint (ecom_common.testing.access_tests walks the URL conf)."""

from ecom_common.testing.access_tests import *  # noqa: F403

ACCESS = {
    "schema": "public",
    "swagger-ui": "public",
    "product-list": "staff-write",
    "product-detail": "staff-write",
    "category-list": "staff-write",
    "category-detail": "staff-write",
}
