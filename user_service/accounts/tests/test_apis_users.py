"""The caller's account and addresses."""

import uuid

import pytest

from accounts.models import Address
from accounts.tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS_INPUT = {
    "label": "Work",
    "full_name": "Ada Lovelace",
    "line1": "1 Main Street",
    "line2": "Floor 2",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "country": "US",
    "phone": "+1 555 0100",
}


def test_me_returns_the_callers_account(user_client, user):
    response = user_client.get("/api/users/me/")

    assert response.status_code == 200
    assert response.json() == {
        "id": str(user.id),
        "email": user.email,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "is_staff": False,
        "email_verified": False,
    }


def test_me_patch_changes_the_names(user_client, user):
    response = user_client.patch("/api/users/me/", {"first_name": "Augusta", "last_name": "King"})

    assert response.status_code == 200
    assert response.json()["first_name"] == "Augusta"
    assert response.json()["last_name"] == "King"
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Augusta", "King")


def test_me_patch_cannot_raise_is_staff_or_change_the_email(user_client, user):
    # given
    email = user.email

    # when
    response = user_client.patch("/api/users/me/", {"is_staff": True, "email": "other@example.com"})

    # then
    assert response.status_code == 200
    assert response.json()["is_staff"] is False
    assert response.json()["email"] == email
    user.refresh_from_db()
    assert user.is_staff is False
    assert user.email == email


def test_me_put_is_not_allowed(user_client):
    response = user_client.put("/api/users/me/", {"first_name": "X"})

    assert response.status_code == 405


def test_me_is_401_for_an_anonymous_caller(api_client):
    response = api_client.get("/api/users/me/")

    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {"code": "not_authenticated", "detail": "Authentication credentials were not provided.", "attr": None}
        ],
    }


def test_me_is_401_with_a_garbage_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")

    response = api_client.get("/api/users/me/")

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "token_not_valid"


def test_me_is_401_once_the_user_is_deactivated(user_client, user):
    user.is_active = False
    user.save()

    response = user_client.get("/api/users/me/")

    assert response.status_code == 401


def test_address_create_returns_the_address(user_client, user):
    response = user_client.post("/api/users/me/addresses/", ADDRESS_INPUT)

    assert response.status_code == 201
    address = Address.objects.get()
    assert address.user == user
    body = response.json()
    assert body == {
        **ADDRESS_INPUT,
        "id": str(address.id),
        "is_default": False,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }


def test_address_create_rejects_a_lowercase_or_long_country(user_client):
    response = user_client.post("/api/users/me/addresses/", {**ADDRESS_INPUT, "country": "us"})

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {
                "code": "invalid_country",
                "detail": "Enter an ISO 3166-1 alpha-2 country code in capitals, e.g. US.",
                "attr": "country",
            }
        ],
    }
    assert not Address.objects.exists()


def test_address_create_requires_the_address_fields(user_client):
    response = user_client.post("/api/users/me/addresses/", {"label": "Home"})

    assert response.status_code == 400
    assert {error["attr"] for error in response.json()["errors"]} == {
        "full_name",
        "line1",
        "city",
        "postal_code",
        "country",
    }


def test_address_list_shows_only_the_callers_addresses(user_client, user):
    # given
    mine = AddressFactory(user=user)
    AddressFactory()  # someone else's

    # when
    response = user_client.get("/api/users/me/addresses/")

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    assert [address["id"] for address in body["results"]] == [str(mine.id)]


def test_address_retrieve_update_and_delete(user_client, user):
    # given
    address = AddressFactory(user=user)
    url = f"/api/users/me/addresses/{address.id}/"

    # when / then
    assert user_client.get(url).json()["city"] == "London"
    response = user_client.patch(url, {"city": "Oxford", "postal_code": "OX1 1AA"})
    assert response.status_code == 200
    assert (response.json()["city"], response.json()["postal_code"]) == ("Oxford", "OX1 1AA")
    assert user_client.delete(url).status_code == 204
    assert not Address.objects.filter(id=address.id).exists()


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_another_users_address_is_404(user_client, method):
    # given
    other = AddressFactory(user=UserFactory())

    # when
    response = getattr(user_client, method)(f"/api/users/me/addresses/{other.id}/", ADDRESS_INPUT)

    # then
    assert response.status_code == 404
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }
    other.refresh_from_db()
    assert other.city == "London"


def test_unknown_address_id_is_404(user_client):
    response = user_client.get(f"/api/users/me/addresses/{uuid.uuid4()}/")

    assert response.status_code == 404


def test_making_an_address_default_undefaults_the_previous_one(user_client, user):
    # given
    first = AddressFactory(user=user, is_default=True)
    second = AddressFactory(user=user)
    someone_elses = AddressFactory(is_default=True)

    # when
    response = user_client.patch(f"/api/users/me/addresses/{second.id}/", {"is_default": True})

    # then
    assert response.status_code == 200
    assert response.json()["is_default"] is True
    first.refresh_from_db()
    second.refresh_from_db()
    someone_elses.refresh_from_db()
    assert (first.is_default, second.is_default, someone_elses.is_default) == (False, True, True)


def test_creating_a_default_address_undefaults_the_previous_one(user_client, user):
    # given
    first = AddressFactory(user=user, is_default=True)

    # when
    response = user_client.post("/api/users/me/addresses/", {**ADDRESS_INPUT, "is_default": True})

    # then
    assert response.status_code == 201
    first.refresh_from_db()
    assert first.is_default is False
    assert list(Address.objects.filter(user=user, is_default=True).values_list("id", flat=True)) == [
        uuid.UUID(response.json()["id"])
    ]


def test_addresses_are_401_for_an_anonymous_caller(api_client):
    response = api_client.get("/api/users/me/addresses/")

    assert response.status_code == 401
