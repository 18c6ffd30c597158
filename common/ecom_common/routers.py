"""The one router every service's viewsets register with."""

from rest_framework.routers import SimpleRouter

# A UUID in a path (with or without its dashes): anything else is the contract's 404, never a 400.
UUID_PATTERN = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class ApiRouter(SimpleRouter):
    """Trailing slashes, as the contract's paths have; no browsable root (the docs list every path)."""

    def __init__(self):
        super().__init__(trailing_slash=True)
