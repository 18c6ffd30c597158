"""Staff in the admins as a browser without a screen: ``requests`` following the single sign-on's
redirects (the admin, the identity service's sign-in page, the admin again)."""

import requests

from ecom_common.testing.sso import sign_in_form_data

STAFF = ("admin@example.com", "admin-password")  # the stack's ensure_admin account


def sign_in_form(page) -> bool:
    return 'name="password"' in page.text and "csrfmiddlewaretoken" in page.text


def admin_open(admin_url: str, session: requests.Session | None = None, credentials=STAFF) -> requests.Session:
    """Opens ``admin_url`` (an admin's index, e.g. ``<gateway>/admin/orders/``) signed in: when
    the identity service asks, its form is filled in with ``credentials``; the session's cookies
    then sign in every other admin without it."""
    session = session or requests.Session()
    page = session.get(admin_url, timeout=30)
    if sign_in_form(page):
        page = sign_in(session, page, *credentials)
    assert (page.status_code, page.url) == (200, admin_url), f"{page.status_code} {page.url}: {page.text[:500]}"
    return session


def sign_in(session: requests.Session, form_page, email: str, password: str):
    """Submits the identity service's sign-in form (hidden fields as served); the page it leads to."""
    return session.post(
        form_page.url,
        data=sign_in_form_data(form_page.text, email, password),
        headers={"Referer": form_page.url},
        timeout=30,
    )
