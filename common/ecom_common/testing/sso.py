"""A browser's part in the staff sign-in, for tests: the Django test client is this service's
admin, a ``requests`` session the browser's visits to the real identity service (its cookies
are the identity service's session, so a second admin signs in without the password)."""

import re
from urllib.parse import urlsplit

import requests

# A loopback host: the identity service accepts it on any port (RFC 8252), as it does the
# gateway's in `make run`.
ADMIN_HOST = "127.0.0.1"


class StaffBrowser:
    def __init__(self, identity_url: str):
        self.identity_url = identity_url
        self.identity = requests.Session()
        self._credentials = None  # typed into the identity service's form once, when it asks

    def admin_get(self, client, path: str, **params):
        """GET on this service's admin, following its redirects (through the identity service)
        until a page answers; the last response."""
        response = client.get(path, params, HTTP_HOST=ADMIN_HOST)
        while response.status_code in (301, 302):
            location = response["Location"]
            if location.startswith(self.identity_url):
                return self._at_identity(client, location)
            response = client.get(_local(location), HTTP_HOST=ADMIN_HOST)
        return response

    def sign_in(self, client, path: str, email: str | None = None, password: str | None = None):
        """Opens ``path`` in the admin; when the identity service asks, signs in there."""
        self._credentials = (email, password) if email else None
        try:
            return self.admin_get(client, path)
        finally:
            self._credentials = None

    def _at_identity(self, client, url: str):
        response = self.identity.get(url, allow_redirects=False, timeout=10)
        while True:
            if response.status_code in (301, 302):
                location = requests.compat.urljoin(response.url, response.headers["Location"])
                if not location.startswith(self.identity_url):
                    return self.admin_get(client, _local(location))
                response = self.identity.get(location, allow_redirects=False, timeout=10)
            elif response.status_code == 200 and 'name="password"' in response.text and self._credentials:
                response = self._post_sign_in_form(response, *self._credentials)
                self._credentials = None
            else:
                return IdentityPage(response)

    def _post_sign_in_form(self, form, email: str, password: str):
        return self.identity.post(
            form.url,
            data=sign_in_form_data(form.text, email, password),
            headers={"Referer": form.url},
            allow_redirects=False,
            timeout=10,
        )


def sign_in_form_data(form_html: str, email: str, password: str) -> dict:
    """What a browser posts of the identity service's sign-in form: its hidden fields as served
    (the CSRF token, ``next``), the e-mail and the password."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form_html))
    return {
        **{name: value.replace("&amp;", "&") for name, value in fields.items()},
        "username": email,
        "password": password,
    }


class IdentityPage:
    """A page of the identity service where the sign-in stopped (its form again, an error)."""

    def __init__(self, response):
        self.status_code = response.status_code
        self.url = response.url
        self.text = response.text


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
