"""Development: `make run`. Embedded defaults unless the environment names real servers."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
