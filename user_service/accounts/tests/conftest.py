import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


def tokens_for(client: APIClient, *, email: str, password: str = DEFAULT_PASSWORD) -> dict:
    response = client.post("/api/auth/token/", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.fixture
def user_client(user):
    """An API client signed in as ``user`` with a real access token from the token endpoint."""
    client = APIClient()
    access = tokens_for(client, email=user.email)["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client
