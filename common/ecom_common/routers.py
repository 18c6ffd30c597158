"""The one router every service's viewsets register with."""

from rest_framework.routers import SimpleRouter


class ApiRouter(SimpleRouter):
    """Trailing slashes, as the contract's paths have; no browsable root (the docs list every path)."""

    def __init__(self):
        super().__init__(trailing_slash=True)
