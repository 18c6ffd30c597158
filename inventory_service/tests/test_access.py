"""Who may call each endpoint (ecom_common.testing.access_tests walks the URL conf)."""

from ecom_common.testing.access_tests import *  # noqa: F403

ACCESS = {
    "schema": "public",
    "swagger-ui": "public",
    "stock-detail": "public",
    "stock-adjust": "staff",
    "stock-movement-list": "staff",
    "stock-transfer": "staff",
    "warehouse-list": "staff",
    "warehouse-detail": "staff",
}
