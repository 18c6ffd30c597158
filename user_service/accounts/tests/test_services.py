import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts import account_tokens
from accounts.models import Address, User
from accounts.services import address_create, address_update, user_admin_ensure, user_register, user_update
from accounts.tests.factories import DEFAULT_PASSWORD, AddressFactory, UserFactory
from ecom_common.testing.events import published_data

pytestmark = pytest.mark.django_db


def test_user_register_stores_the_email_lowercase():
    user = user_register(email="  Mixed.Case@Example.COM ", password=DEFAULT_PASSWORD)

    assert user.email == "mixed.case@example.com"
    assert user.is_staff is False
    assert user.check_password(DEFAULT_PASSWORD)


def test_user_register_reports_a_weak_password_under_password():
    with pytest.raises(ValidationError) as raised:
        user_register(email="weak@example.com", password="short")

    assert raised.value.message_dict == {
        "password": ["This password is too short. It must contain at least 8 characters."]
    }


def test_database_refuses_emails_differing_only_in_case():
    UserFactory(email="one@example.com")

    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="ONE@example.com")])


def test_authenticate_finds_the_user_whatever_the_case():
    user = UserFactory(email="case@example.com")

    assert authenticate(username="CASE@Example.com", password=DEFAULT_PASSWORD) == user


def test_user_update_changes_only_the_names():
    user = UserFactory(first_name="Ada", last_name="Lovelace")

    user_update(user=user, data={"first_name": "Augusta", "is_staff": True})

    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.is_staff) == ("Augusta", "Lovelace", False)


def test_user_admin_ensure_creates_then_updates_the_superuser():
    user, created = user_admin_ensure(email="Boss@Example.com", password="one")
    again, created_again = user_admin_ensure(email="boss@example.com", password="two")

    assert (created, created_again) == (True, False)
    assert again.pk == user.pk
    again.refresh_from_db()
    assert (again.email, again.is_staff, again.is_superuser, again.is_active) == ("boss@example.com", True, True, True)
    assert again.check_password("two")


def test_address_create_as_default_keeps_one_default_per_user():
    user = UserFactory()
    first = AddressFactory(user=user, is_default=True)

    second = address_create(
        user=user,
        label="Work",
        full_name="Ada",
        line1="1 Road",
        city="Paris",
        postal_code="75001",
        country="FR",
        is_default=True,
    )

    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)


def test_address_update_unsetting_default_leaves_no_default():
    address = AddressFactory(is_default=True)

    address_update(address=address, data={"is_default": False})

    assert not Address.objects.filter(is_default=True).exists()


def test_address_create_rejects_a_bad_country_code():
    with pytest.raises(ValidationError) as raised:
        address_create(
            user=UserFactory(), label="x", full_name="x", line1="x", city="x", postal_code="x", country="usa"
        )

    assert list(raised.value.message_dict) == ["country"]


def test_database_refuses_two_defaults_for_one_user():
    user = UserFactory()
    AddressFactory(user=user, is_default=True)

    with pytest.raises(IntegrityError):
        Address.objects.bulk_create([AddressFactory.build(user=user, is_default=True)])


def test_registering_publishes_user_registered():
    user = user_register(email="New@Example.com", password="a-Strong-passw0rd")

    [registered] = published_data("user.registered")
    token = registered.pop("token")  # the welcome mail's verification link
    assert registered == {"user_id": str(user.id), "email": "new@example.com", "name": ""}
    assert account_tokens.email_verification_user(token) == user


def test_a_refused_registration_publishes_nothing():
    with pytest.raises(ValidationError):
        user_register(email="weak@example.com", password="123")

    assert published_data("user.registered") == []
