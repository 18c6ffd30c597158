"""Registration, tokens (obtain, refresh, logout) and the JWKS."""

import jwt
import pytest
from django.conf import settings

from accounts.models import User
from accounts.tests.conftest import tokens_for
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_register_creates_the_user_and_returns_it(api_client):
    # when
    response = api_client.post(
        "/api/auth/register/",
        {"email": "New.Person@Example.com", "password": DEFAULT_PASSWORD, "first_name": "New", "last_name": "Person"},
    )

    # then
    assert response.status_code == 201
    user = User.objects.get()
    assert response.json() == {
        "id": str(user.id),
        "email": "new.person@example.com",
        "first_name": "New",
        "last_name": "Person",
        "is_staff": False,
        "email_verified": False,
    }
    assert user.check_password(DEFAULT_PASSWORD)


def test_register_needs_only_email_and_password(api_client):
    response = api_client.post("/api/auth/register/", {"email": "plain@example.com", "password": DEFAULT_PASSWORD})

    assert response.status_code == 201
    assert response.json()["first_name"] == ""
    assert response.json()["last_name"] == ""


def test_register_rejects_a_weak_password_in_the_error_format(api_client):
    response = api_client.post("/api/auth/register/", {"email": "weak@example.com", "password": "12345678"})

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {"code": "password_too_common", "detail": "This password is too common.", "attr": "password"},
            {"code": "password_entirely_numeric", "detail": "This password is entirely numeric.", "attr": "password"},
        ],
    }
    assert not User.objects.exists()


def test_register_rejects_a_password_similar_to_the_email(api_client):
    response = api_client.post(
        "/api/auth/register/", {"email": "marguerite.yourcenar@example.com", "password": "marguerite.yourcenar"}
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "password_too_similar",
            "detail": "The password is too similar to the email address.",
            "attr": "password",
        }
    ]


def test_register_answers_a_taken_address_as_a_new_one_and_tells_its_owner(api_client):
    """Registration said which addresses have an account (a 400 "already exists")."""
    from ecom_common.testing.events import published_data

    owner = UserFactory(email="taken@example.com", first_name="Ada", last_name="")
    fresh = {"email": "new@example.com", "password": DEFAULT_PASSWORD, "first_name": "Eve"}
    taken = {"email": "TAKEN@example.COM", "password": DEFAULT_PASSWORD, "first_name": "Eve"}

    answers = [api_client.post("/api/auth/register/", body) for body in (fresh, taken)]

    assert [answer.status_code for answer in answers] == [201, 201]
    shapes = [{key: value for key, value in answer.json().items() if key != "id"} for answer in answers]
    assert shapes == [
        {"email": "new@example.com", "first_name": "Eve", "last_name": "", "is_staff": False, "email_verified": False},
        {
            "email": "taken@example.com",
            "first_name": "Eve",
            "last_name": "",
            "is_staff": False,
            "email_verified": False,
        },
    ]
    assert not User.objects.filter(pk=answers[1].json()["id"]).exists()  # nothing was made
    owner.refresh_from_db()
    assert (owner.first_name, owner.check_password(DEFAULT_PASSWORD)) == ("Ada", True)  # nor changed
    assert published_data("user.registration_attempted") == [
        {"user_id": str(owner.pk), "email": "taken@example.com", "name": "Ada"}
    ]
    assert [data["email"] for data in published_data("user.registered")] == ["new@example.com"]


def test_repeated_sign_ups_with_a_taken_address_mail_its_owner_once_an_hour(api_client):
    from django.core.cache import cache

    from ecom_common.testing.events import published_data

    owner = UserFactory(email="victim@example.com")
    cache.delete(f"registration_attempted:{owner.pk}")

    answers = [
        api_client.post("/api/auth/register/", {"email": "victim@example.com", "password": DEFAULT_PASSWORD})
        for _ in range(5)
    ]

    assert [answer.status_code for answer in answers] == [201] * 5
    assert len(published_data("user.registration_attempted")) == 1


def test_register_checks_the_password_of_a_taken_address_too(api_client):
    UserFactory(email="taken@example.com")

    response = api_client.post("/api/auth/register/", {"email": "taken@example.com", "password": "123"})

    assert response.status_code == 400
    assert {error["attr"] for error in response.json()["errors"]} == {"password"}


def test_register_rejects_an_invalid_email(api_client):
    response = api_client.post("/api/auth/register/", {"email": "not-an-email", "password": DEFAULT_PASSWORD})

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "invalid", "detail": "Enter a valid email address.", "attr": "email"}],
    }


def test_token_returns_an_access_and_a_refresh_token(api_client):
    # given
    UserFactory(email="buyer@example.com")

    # when
    response = api_client.post("/api/auth/token/", {"email": "buyer@example.com", "password": DEFAULT_PASSWORD})

    # then
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_token_accepts_the_email_in_any_case(api_client):
    UserFactory(email="buyer@example.com")

    response = api_client.post("/api/auth/token/", {"email": "Buyer@Example.COM", "password": DEFAULT_PASSWORD})

    assert response.status_code == 200


def test_access_token_is_rs256_with_a_kid_and_carries_the_user_claims(api_client):
    # given
    user = UserFactory(
        email="staff@example.com", first_name="Grace", last_name="Hopper", groups=["support", "catalog"]
    )
    user.is_staff = True
    user.save()

    # when
    access = tokens_for(api_client, email="staff@example.com")["access"]

    # then
    header = jwt.get_unverified_header(access)
    claims = jwt.decode(access, options={"verify_signature": False})
    assert header["alg"] == "RS256"
    assert header["kid"]
    assert claims["token_type"] == "access"
    assert claims["user_id"] == str(user.id)
    assert claims["email"] == "staff@example.com"
    assert claims["first_name"] == "Grace"
    assert claims["last_name"] == "Hopper"
    assert claims["is_staff"] is True
    assert claims["is_superuser"] is False
    assert claims["email_verified"] is False
    assert claims["groups"] == ["catalog", "support"]
    assert claims["iss"] == settings.JWT_ISSUER
    assert claims["aud"] == settings.JWT_AUDIENCE


def test_token_with_a_wrong_password_is_401_in_the_error_format(api_client):
    UserFactory(email="buyer@example.com")

    response = api_client.post("/api/auth/token/", {"email": "buyer@example.com", "password": "wrong-password"})

    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "no_active_account",
                "detail": "No active account found with the given credentials",
                "attr": None,
            }
        ],
    }


def test_token_for_an_inactive_user_is_401(api_client):
    UserFactory(email="gone@example.com", is_active=False)

    response = api_client.post("/api/auth/token/", {"email": "gone@example.com", "password": DEFAULT_PASSWORD})

    assert response.status_code == 401


def test_token_without_a_password_is_400(api_client):
    response = api_client.post("/api/auth/token/", {"email": "buyer@example.com"})

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "required", "detail": "This field is required.", "attr": "password"}],
    }


def test_refresh_returns_a_new_pair(api_client, user):
    # given
    tokens = tokens_for(api_client, email=user.email)

    # when
    response = api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]})

    # then
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert response.json()["refresh"] != tokens["refresh"]
    claims = jwt.decode(response.json()["access"], options={"verify_signature": False})
    assert claims["user_id"] == str(user.id)
    assert claims["email"] == user.email


def test_refresh_with_a_rotated_away_token_is_401(api_client, user):
    # given
    old_refresh = tokens_for(api_client, email=user.email)["refresh"]
    assert api_client.post("/api/auth/token/refresh/", {"refresh": old_refresh}).status_code == 200

    # when
    response = api_client.post("/api/auth/token/refresh/", {"refresh": old_refresh})

    # then
    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "token_not_valid", "detail": "Token is blacklisted", "attr": None}],
    }


def test_refreshed_access_token_reflects_the_current_staff_flag_and_groups(api_client, user):
    # given
    refresh = tokens_for(api_client, email=user.email)["refresh"]
    user.is_staff = True
    user.save()
    user.groups.create(name="support")

    # when
    access = api_client.post("/api/auth/token/refresh/", {"refresh": refresh}).json()["access"]

    # then
    claims = jwt.decode(access, options={"verify_signature": False})
    assert claims["is_staff"] is True
    assert claims["groups"] == ["support"]


def test_refresh_for_a_deactivated_user_is_401(api_client, user):
    # given
    refresh = tokens_for(api_client, email=user.email)["refresh"]
    user.is_active = False
    user.save()

    # when
    response = api_client.post("/api/auth/token/refresh/", {"refresh": refresh})

    # then
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "no_active_account"


def test_refresh_with_a_garbage_token_is_401(api_client):
    response = api_client.post("/api/auth/token/refresh/", {"refresh": "not-a-token"})

    assert response.status_code == 401
    assert response.json()["type"] == "client_error"
    assert response.json()["errors"][0]["code"] == "token_not_valid"


def test_refresh_with_an_access_token_is_401(api_client, user):
    access = tokens_for(api_client, email=user.email)["access"]

    response = api_client.post("/api/auth/token/refresh/", {"refresh": access})

    assert response.status_code == 401


def test_logout_revokes_the_refresh_token(api_client, user):
    # given
    refresh = tokens_for(api_client, email=user.email)["refresh"]

    # when
    response = api_client.post("/api/auth/logout/", {"refresh": refresh})

    # then
    assert response.status_code == 204
    assert response.content == b""
    after = api_client.post("/api/auth/token/refresh/", {"refresh": refresh})
    assert after.status_code == 401
    assert after.json()["errors"][0]["code"] == "token_not_valid"


def test_logout_with_an_invalid_token_is_401(api_client):
    response = api_client.post("/api/auth/logout/", {"refresh": "not-a-token"})

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "token_not_valid"


def test_logout_without_a_token_is_400(api_client):
    response = api_client.post("/api/auth/logout/", {})

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "required", "detail": "This field is required.", "attr": "refresh"}],
    }


def test_jwks_serves_the_key_that_verifies_issued_tokens(api_client, user):
    # given
    access = tokens_for(api_client, email=user.email)["access"]
    kid = jwt.get_unverified_header(access)["kid"]

    # when
    response = api_client.get("/.well-known/jwks.json")

    # then
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert [key["kid"] for key in keys] == [kid]
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["alg"] == "RS256"
    assert keys[0]["use"] == "sig"
    assert "d" not in keys[0]  # the public half only
    public_key = jwt.PyJWK(keys[0]).key
    claims = jwt.decode(
        access, public_key, algorithms=["RS256"], audience=settings.JWT_AUDIENCE, issuer=settings.JWT_ISSUER
    )
    assert claims["user_id"] == str(user.id)


def test_jwks_ignores_a_bad_authorization_header(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")

    response = api_client.get("/.well-known/jwks.json")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/auth/token/", {"password": DEFAULT_PASSWORD}),
        ("/api/auth/register/", {"password": DEFAULT_PASSWORD}),
        ("/api/auth/password-reset/", {}),
    ],
)
def test_an_email_over_254_characters_is_a_400_before_anything_else_runs(api_client, path, body):
    """A 300 kB address at sign-in was a lockout counter keyed on it in Redis (a 503)."""
    email = "a" * 300_000 + "@example.com"

    response = api_client.post(path, {**body, "email": email})

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {"code": "max_length", "detail": "Ensure this field has no more than 254 characters.", "attr": "email"}
        ],
    }
