"""Rotating the signing key without signing anyone out: during the rotation the JWKS serves the
new key and the previous one, and tokens signed with either are accepted (docs/deploy.md,
"Rotating the signing key")."""

import jwt
from rest_framework.test import APIClient

from accounts.tests.conftest import tokens_for
from accounts.tests.factories import UserFactory
from ecom_common.auth.keys import generate_private_key_pem
from ecom_common.testing.plugin import public_key_pem


def test_tokens_of_the_previous_key_keep_working_while_both_are_served(db, settings):
    old, new = generate_private_key_pem(), generate_private_key_pem()
    settings.JWT_PRIVATE_KEY = old
    user = UserFactory()
    client = APIClient()
    issued = tokens_for(client, email=user.email)
    old_kid = jwt.get_unverified_header(issued["access"])["kid"]

    settings.JWT_PRIVATE_KEY, settings.JWT_EXTRA_PUBLIC_KEYS = new, [public_key_pem(old)]
    served = [key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]]
    me = client.get("/api/users/me/", headers={"Authorization": f"Bearer {issued['access']}"})
    refreshed = client.post("/api/auth/token/refresh/", {"refresh": issued["refresh"]})

    assert len(served) == 2 and served[1] == old_kid
    assert me.status_code == 200
    assert refreshed.status_code == 200
    assert jwt.get_unverified_header(refreshed.json()["access"])["kid"] == served[0] != old_kid

    settings.JWT_EXTRA_PUBLIC_KEYS = []  # the rotation ends
    after = client.get("/api/users/me/", headers={"Authorization": f"Bearer {issued['access']}"})

    assert after.status_code == 401
