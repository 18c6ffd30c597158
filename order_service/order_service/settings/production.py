"""Production: the service's settings plus the shared hardening of ecom_common.production_settings."""

# ruff: noqa: I001 - the order is the point: the shared hardening overrides base
from .base import *  # noqa: F403
from .base import STORAGES
from ecom_common.production_settings import *  # noqa: F403 - after base, so it wins
from ecom_common.production_settings import production_storages

STORAGES = production_storages(STORAGES)
