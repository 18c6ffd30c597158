import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client):
    superuser = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return client


def test_user_changelist_searches_and_filters(admin_client_):
    # given
    UserFactory(email="findme@example.com", last_name="Needle")
    UserFactory(email="other@example.com", last_name="Hay")
    url = reverse("admin:accounts_user_changelist")

    # when
    response = admin_client_.get(url, {"q": "needle", "is_staff__exact": "0", "is_active__exact": "1"})

    # then
    assert response.status_code == 200
    emails = [user.email for user in response.context["cl"].result_list]
    assert emails == ["findme@example.com"]


def test_user_change_page_loads_with_the_addresses_inline(admin_client_):
    address = AddressFactory()

    response = admin_client_.get(reverse("admin:accounts_user_change", args=[address.user.pk]))

    assert response.status_code == 200
    assert address.postal_code in response.content.decode()


def test_user_add_form_hashes_the_password(admin_client_):
    response = admin_client_.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New@Example.com",
            "usable_password": "true",
            "password1": "a-Strong-passw0rd",
            "password2": "a-Strong-passw0rd",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new@example.com")
    assert user.check_password("a-Strong-passw0rd")
    assert not user.password.startswith("a-Strong")


def test_address_changelist_searches_by_user_email(admin_client_):
    AddressFactory(user=UserFactory(email="addr@example.com"))
    AddressFactory()

    response = admin_client_.get(reverse("admin:accounts_address_changelist"), {"q": "addr@", "country": "GB"})

    assert response.status_code == 200
    assert [address.user.email for address in response.context["cl"].result_list] == ["addr@example.com"]
