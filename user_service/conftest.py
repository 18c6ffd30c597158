import pytest

from accounts.serializers import UserTokenObtainPairSerializer
from accounts.tests.factories import UserFactory


@pytest.fixture
def access_token_for(db):
    """Here tokens belong to real users: the identity service looks its callers up."""

    def make(*, email: str = "someone@example.com", is_staff: bool = False) -> str:
        user = UserFactory(email=email, is_staff=is_staff)
        return str(UserTokenObtainPairSerializer.get_token(user).access_token)

    return make
