"""Production: the service's settings plus the shared hardening of ecom_common.production_settings."""

from .base import *  # noqa: F403
from ecom_common.production_settings import *  # noqa: E402, F403, I001 - after base, so it wins
