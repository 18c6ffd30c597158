"""While the database is unreachable the service answers 503 in the one error format, and it serves
again as soon as the database is back, without a restart.

The outage is real: the connection is pointed at a port where nothing listens (as during a
PostgreSQL restart), then pointed back.
"""

from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection
from django.db.utils import InterfaceError, OperationalError
from django.test import Client

from ecom_common.events import event_handler
from ecom_common.events.handling import handler_run_task
from ecom_common.models import DeadLetter, InboxEvent
from ecom_common.testing.events import event_envelope
from ecom_common.testing.processes import free_port

pytestmark = pytest.mark.django_db(transaction=True)

UNAVAILABLE = {
    "type": "server_error",
    "errors": [
        {
            "code": "service_unavailable",
            "detail": "The service is temporarily unavailable, try again shortly.",
            "attr": None,
        }
    ],
}


@contextmanager
def database_unreachable():
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port


def test_an_api_request_while_the_database_is_down_is_a_503_in_the_error_format():
    client = Client(raise_request_exception=False)

    with database_unreachable():
        response = client.get("/api/products/")

    assert response.status_code == 503
    assert response.json() == UNAVAILABLE
    assert response["Retry-After"] == "1"


def test_a_page_outside_the_api_while_the_database_is_down_is_a_503_in_the_error_format():
    # Given a signed-in admin session: the admin reads it from the database
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32

    with database_unreachable():
        response = client.get("/admin/products/")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == UNAVAILABLE


def test_the_service_answers_again_once_the_database_is_back():
    client = Client(raise_request_exception=False)
    with database_unreachable():
        assert client.get("/api/products/").status_code == 503

    response = client.get("/api/products/")

    assert response.status_code == 200
    assert response.json()["count"] == 0


# -- event handlers in the worker ------------------------------------------------------------------
failures_left = {}


@event_handler("test.database_blipped")
def fail_while_the_database_is_away(event):
    """Raises what Django raises when PostgreSQL restarts under it, ``failures`` times."""
    failures_left.setdefault(event.id, event.data["failures"])
    if failures_left[event.id]:
        failures_left[event.id] -= 1
        if event.data["error"] == "interface":
            raise InterfaceError("connection already closed")
        raise OperationalError("terminating connection due to administrator command")


HANDLER = f"{fail_while_the_database_is_away.__module__}.fail_while_the_database_is_away"


@pytest.mark.parametrize("error", ["operational", "interface"])
def test_a_handler_is_retried_past_the_retry_limit_while_the_database_is_away(settings, error):
    settings.EVENT_HANDLER_MAX_RETRIES = 1
    envelope = event_envelope("test.database_blipped", {"failures": 3, "error": error})

    handler_run_task.apply(args=(HANDLER, envelope))

    assert InboxEvent.objects.filter(event_id=envelope["id"], handler=HANDLER).count() == 1
    assert not DeadLetter.objects.filter(event_id=envelope["id"]).exists()


def test_the_retry_limit_is_the_setting_not_celerys_default_of_three(settings):
    settings.EVENT_HANDLER_MAX_RETRIES = 8
    envelope = event_envelope("test.database_blipped", {"failures": 5, "error": "operational"})

    handler_run_task.apply(args=(HANDLER, envelope))

    assert InboxEvent.objects.filter(event_id=envelope["id"], handler=HANDLER).count() == 1
