"""Who may call what, generated from the URL conf so that a new endpoint cannot be forgotten.

A service opts in with one module (``<svc>/tests/test_access.py``) that does
``from ecom_common.testing.access_tests import *`` and declares ``ACCESS``: every DRF endpoint
under ``/api/`` by URL pattern name → one of

- ``"public"``: anyone, anonymous included (reads, sign-up, sign-in)
- ``"staff-write"``: anyone reads; writes refuse anonymous callers (401) and customers (403)
- ``"staff"``: every method refuses anonymous callers (401) and customers (403)
- ``"signed-in-write"``: anyone reads; writes refuse anonymous callers (401) (reviews)
- ``"authenticated"``: every method refuses anonymous callers (401)
- ``"authenticated-own"``: as ``authenticated``, and a detail endpoint answers 404 for another
  user's object: the module's ``another_users_objects`` fixture gives, per such pattern name,
  the URL kwargs of an object that belongs to someone other than ``customer_client``'s user.

An endpoint missing from ``ACCESS`` (or declared but gone) fails the suite.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient
from rest_framework.views import APIView

__all__ = [
    "test_another_users_objects_are_not_found",
    "test_authenticated_endpoints_refuse_anonymous_callers",
    "test_every_api_endpoint_declares_its_access",
    "test_public_endpoints_answer_anonymous_callers",
    "test_staff_endpoints_refuse_anonymous_callers",
    "test_staff_endpoints_refuse_customers",
]

KINDS = {"public", "staff-write", "staff", "signed-in-write", "authenticated", "authenticated-own"}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def api_endpoints() -> dict[str, tuple[URLPattern, list[str]]]:
    """Every DRF endpoint under ``api/``: pattern name → (pattern, its HTTP methods)."""
    endpoints = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "cls", None)
        if not route.lstrip("^").startswith("api/") or not (view_class and issubclass(view_class, APIView)):
            continue
        if "format" in pattern.pattern.regex.groupindex:
            continue  # DRF's ``.json`` suffix twin of an endpoint already listed
        actions = getattr(pattern.callback, "actions", None)
        methods = (
            sorted(actions)
            if actions
            else [
                method
                for method in view_class.http_method_names
                if method not in {"options", "head"} and hasattr(view_class, method)
            ]
        )
        endpoints[pattern.name] = (pattern, methods)
    return endpoints


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _declared(request) -> dict[str, str]:
    return request.module.ACCESS


def _url(name: str, pattern: URLPattern, kwargs: dict | None = None) -> str:
    """The endpoint's URL; ids nobody has are made up when no kwargs are given."""
    if kwargs is None:
        kwargs = {group: str(uuid.uuid4()) for group in pattern.pattern.regex.groupindex}
    return reverse(name, kwargs=kwargs)


def _call(client: APIClient, method: str, url: str):
    return getattr(client, method)(url, {}, format="json") if method != "get" else client.get(url)


def _endpoints_of(request, *kinds: str):
    declared = _declared(request)
    return [
        (name, pattern, methods) for name, (pattern, methods) in api_endpoints().items() if declared.get(name) in kinds
    ]


def test_every_api_endpoint_declares_its_access(request):
    declared = _declared(request)

    found = set(api_endpoints())

    assert sorted(found - set(declared)) == [], "declare these endpoints' access in ACCESS"
    assert sorted(set(declared) - found) == [], "these declared endpoints no longer exist"
    assert set(declared.values()) <= KINDS


@pytest.mark.django_db
def test_staff_endpoints_refuse_anonymous_callers(request):
    refused = {}
    for name, pattern, methods in _endpoints_of(request, "staff", "staff-write"):
        kind = _declared(request)[name]
        for method in methods:
            if kind == "staff" or method in WRITE_METHODS:
                refused[f"{method.upper()} {name}"] = _call(APIClient(), method, _url(name, pattern)).status_code

    assert set(refused.values()) <= {401}, refused


@pytest.mark.django_db
def test_staff_endpoints_refuse_customers(request, customer_client):
    refused = {}
    for name, pattern, methods in _endpoints_of(request, "staff", "staff-write"):
        kind = _declared(request)[name]
        for method in methods:
            if kind == "staff" or method in WRITE_METHODS:
                refused[f"{method.upper()} {name}"] = _call(customer_client, method, _url(name, pattern)).status_code

    assert set(refused.values()) <= {403}, refused


@pytest.mark.django_db
def test_authenticated_endpoints_refuse_anonymous_callers(request):
    refused = {}
    for name, pattern, methods in _endpoints_of(request, "authenticated", "authenticated-own", "signed-in-write"):
        for method in methods:
            if _declared(request)[name] != "signed-in-write" or method in WRITE_METHODS:
                refused[f"{method.upper()} {name}"] = _call(APIClient(), method, _url(name, pattern)).status_code

    assert set(refused.values()) <= {401}, refused


@pytest.mark.django_db
def test_public_endpoints_answer_anonymous_callers(request):
    answered = {}
    for name, pattern, methods in _endpoints_of(request, "public", "staff-write", "signed-in-write"):
        for method in methods:
            if _declared(request)[name] == "public" or method == "get":
                answered[f"{method.upper()} {name}"] = _call(APIClient(), method, _url(name, pattern)).status_code

    assert not {status for status in answered.values() if status in {401, 403} or status >= 500}, answered


@pytest.mark.django_db
def test_another_users_objects_are_not_found(request, customer_client):
    owned = [
        (name, pattern, methods)
        for name, pattern, methods in _endpoints_of(request, "authenticated-own")
        if pattern.pattern.regex.groupindex
    ]
    objects = request.getfixturevalue("another_users_objects") if owned else {}
    answers = {}
    for name, pattern, methods in owned:
        assert name in objects, f"another_users_objects gives no object for {name}"
        for method in methods:
            answers[f"{method.upper()} {name}"] = _call(
                customer_client, method, _url(name, pattern, objects[name])
            ).status_code

    assert set(answers.values()) <= {404}, answers
