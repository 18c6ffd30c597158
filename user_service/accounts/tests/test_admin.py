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


@pytest.fixture
def user_manager(client):
    """A member of staff allowed to view and change accounts, not a superuser."""
    from django.contrib.auth.models import Permission

    manager = UserFactory(email="manager@example.com", is_staff=True)
    manager.user_permissions.set(Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client.force_login(manager)
    return manager


def change_form_data(user: User, **changes) -> dict:
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
    }
    return {key: value for key, value in (data | changes).items() if value is not None}


def test_staff_who_may_change_users_cannot_make_anyone_superuser_or_staff(client, user_manager):
    from django.contrib.auth.models import Permission

    customer = UserFactory(email="customer@example.com")
    every_permission = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]

    for user in (user_manager, customer):
        response = client.post(
            reverse("admin:accounts_user_change", args=[user.pk]),
            change_form_data(
                user, first_name="Renamed", is_staff="on", is_superuser="on", user_permissions=every_permission
            ),
        )
        assert response.status_code == 302

    for user in (user_manager, customer):
        user.refresh_from_db()
        assert user.first_name == "Renamed"  # what they may change, they changed
        assert user.is_superuser is False
    assert customer.is_staff is False
    assert user_manager.user_permissions.count() == 2


def test_staff_who_may_change_users_cannot_change_a_superuser_or_their_password(client, user_manager):
    root = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)

    change = client.post(reverse("admin:accounts_user_change", args=[root.pk]), change_form_data(root, first_name="X"))
    password = client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "Another-Strong-passw0rd", "password2": "Another-Strong-passw0rd", "usable_password": "true"},
    )

    assert change.status_code == 403
    assert password.status_code == 403
    root.refresh_from_db()
    assert root.first_name != "X"
    assert not root.check_password("Another-Strong-passw0rd")


def test_a_superuser_still_grants_staff_and_superuser(admin_client_):
    customer = UserFactory(email="promoted@example.com")

    response = admin_client_.post(
        reverse("admin:accounts_user_change", args=[customer.pk]),
        change_form_data(customer, is_staff="on", is_superuser="on"),
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.is_staff, customer.is_superuser) == (True, True)
