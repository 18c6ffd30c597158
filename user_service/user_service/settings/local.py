"""Development: `make run`. Embedded defaults unless the environment names real servers."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# A development key pair is generated under var/jwt/ when absent.
JWT_GENERATE_PRIVATE_KEY = True
