"""Staff sign in to this service's admin with their identity-service account."""

from ecom_common.testing.sso_tests import *  # noqa: F403
