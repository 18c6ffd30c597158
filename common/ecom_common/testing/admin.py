"""Signing a test client in to a service's admin without the identity service."""

import time

from ecom_common.admin_sso import SESSION_CHECKED_AT, SESSION_REFRESH


def admin_force_login(client, user) -> None:
    """``client.force_login(user)``, with the session a sign-in through the identity service
    leaves (``admin_sso``), its next staff re-check far enough away for any test."""
    client.force_login(user)
    session = client.session
    session[SESSION_REFRESH] = "a refresh token the test never uses"
    session[SESSION_CHECKED_AT] = time.time() + 3600
    session.save()
