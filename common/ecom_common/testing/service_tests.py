"""Behaviour every service shares, run by each service's suite.

A service opts in with ``from ecom_common.testing.service_tests import *`` in one test module,
so a new service cannot forget the probes, the error format, the request id, the schema,
throttling or its database isolation.
"""

import ast
import json
import subprocess
import sys
import uuid
from urllib.parse import parse_qsl

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from ecom_common import service_registry
from ecom_common.service_registry import NAMES
from ecom_common.settings import REPO_DIR, SHARED_APPS, registry_settings
from ecom_common.testing.servers import postgres_url
from ecom_common.throttling import AnonRateThrottle, UserRateThrottle

__all__ = [
    "test_admin_login_asks_for_an_email_at_the_identity_service",
    "test_anonymous_callers_are_throttled_by_ip_with_retry_after",
    "test_authenticated_callers_are_throttled_per_user",
    "test_concurrent_requests_of_one_client_cannot_share_its_last_slots",
    "test_every_api_endpoint_is_an_api_viewset",
    "test_every_beat_entry_names_a_task_the_worker_registers",
    "test_healthz_says_ok",
    "test_metrics_are_exposed_for_prometheus",
    "test_no_task_is_sent_by_a_name_written_in_a_string",
    "test_openapi_schema_generates_without_warnings",
    "test_openapi_schema_is_served",
    "test_readyz_is_503_when_the_broker_is_unreachable",
    "test_readyz_reports_every_dependency_ok",
    "test_request_id_is_echoed",
    "test_request_id_is_made_when_absent",
    "test_role_cannot_read_another_services_schema",
    "test_tables_live_in_the_service_schema",
    "test_the_service_starts_without_a_warning",
    "test_the_settings_the_registry_implies_are_the_services",
    "test_the_staff_summary_is_for_staff_only_and_counts_the_event_bus",
    "test_the_web_process_loads_its_urls_and_cache_clients_before_its_first_request",
    "test_throttled_caller_is_let_in_again_after_retry_after_at_the_steady_rate",
    "test_unknown_url_is_404_in_the_error_format",
    "test_unknown_url_under_a_routed_prefix_is_404_in_the_error_format_in_debug_too",
    "test_unsafe_request_id_is_replaced",
]


def test_healthz_says_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_every_dependency_ok(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "cache": "ok"}}


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "unavailable", "cache": "ok"},
    }


@pytest.mark.django_db
def test_metrics_are_exposed_for_prometheus(client):
    client.get("/healthz")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert "django_http_requests_total_by_method_total" in response.content.decode()


def test_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "checkout-42.abc"})

    assert response["X-Request-ID"] == "checkout-42.abc"


def test_request_id_is_made_when_absent(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert len(first) == 32 and len(second) == 32
    assert first != second


def test_unsafe_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": 'evil"\ninjected'})

    assert response["X-Request-ID"] != 'evil"\ninjected'
    assert len(response["X-Request-ID"]) == 32


def test_unknown_url_is_404_in_the_error_format(client):
    response = client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


@pytest.mark.parametrize("path", ["/api/no-such-thing/", "/api/orders/0f6b6f5e-4a36-4c1e-9d7e-2b0d3b8a9c11/nope/"])
def test_unknown_url_under_a_routed_prefix_is_404_in_the_error_format_in_debug_too(client, settings, path):
    settings.DEBUG = True  # as under `make run`, where Django would answer with its HTML debug page

    response = client.get(path, headers={"X-Request-ID": "debug-404"})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response["X-Request-ID"] == "debug-404"
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


def test_every_api_endpoint_is_an_api_viewset():
    """One API style (ecom_common.apis): every endpoint under /api/ but the schema and docs."""
    from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

    from ecom_common.apis import ApiViewSet
    from ecom_common.testing.access_tests import api_endpoints

    views = {name: pattern.callback.cls for name, (pattern, _methods) in api_endpoints().items()}
    others = {
        name: view.__name__
        for name, view in views.items()
        if not issubclass(view, ApiViewSet | SpectacularAPIView | SpectacularSwaggerView)
    }

    assert len(views) > 2
    assert others == {}


def _in_a_process_of_its_own(*arguments: str) -> subprocess.CompletedProcess:
    """Python with ``arguments`` in the service's folder; it inherits the suite's settings module
    and servers. Not checked: the assertions say what it printed."""
    return subprocess.run(
        [sys.executable, *arguments],
        check=False,
        cwd=REPO_DIR / f"{settings.SERVICE_NAME}_service",
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_service_starts_without_a_warning():
    """Every module imported and checked in a process of its own: decorators that warn at import
    (drf-standardized-errors' unknown actions, say) print before any test runs, and a warning is
    the first thing a newcomer's `make run` shows."""
    result = _in_a_process_of_its_own("manage.py", "check")

    assert result.returncode == 0, result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower(), result.stdout + result.stderr


def test_the_web_process_loads_its_urls_and_cache_clients_before_its_first_request():
    """gunicorn imports the WSGI module before a worker accepts a connection: what Django would
    otherwise import in the first request (the URLconf, each cache's client) is imported there,
    not while requests wait (ecom_common.wsgi)."""
    probe = (
        "import sys; from django.conf import settings; import {package}.wsgi; "
        "print(settings.ROOT_URLCONF in sys.modules, "
        "all(c['BACKEND'].rpartition('.')[0] in sys.modules for c in settings.CACHES.values()))"
    )
    result = _in_a_process_of_its_own("-c", probe.format(package=f"{settings.SERVICE_NAME}_service"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def test_the_settings_the_registry_implies_are_the_services():
    implied = registry_settings(settings.SERVICE_NAME)

    assert {name: getattr(settings, name) for name in implied} == implied
    assert settings.INSTALLED_APPS[: len(SHARED_APPS)] == SHARED_APPS
    assert settings.SPECTACULAR_SETTINGS["TITLE"] == f"{service_registry.service(settings.SERVICE_NAME).title} API"


def test_every_beat_entry_names_a_task_the_worker_registers():
    """What beat sends, as its own process reads it: a sweep whose task is not registered would
    silently never run."""
    probe = (
        "import json; from {package}.celery_app import app; "
        "app.loader.import_default_modules(); app.finalize(auto=True); "
        "print(json.dumps({{name: [entry['task'], entry['task'] in app.tasks] "
        "for name, entry in app.conf.beat_schedule.items()}}))"
    )
    result = _in_a_process_of_its_own("-c", probe.format(package=f"{settings.SERVICE_NAME}_service"))

    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"outbox-sweep", "outbox-prune", "dead-letter-queue-drain"} <= entries.keys()
    assert [name for name, (_, registered) in entries.items() if not registered] == []


def test_no_task_is_sent_by_a_name_written_in_a_string():
    """Tasks are enqueued through the task object their module defines (imported), so a renamed or
    moved task is an ImportError at start, not messages no worker takes."""
    offenders = []
    for folder in (REPO_DIR / f"{settings.SERVICE_NAME}_service", REPO_DIR / "common/ecom_common"):
        for path in folder.rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                by_name = node.func.attr == "send_task" or (  # app.send_task("x"), current_app.signature(X)
                    node.func.attr == "signature"
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in ("app", "current_app")
                )
                if by_name:
                    offenders.append(f"{path.relative_to(REPO_DIR)}:{node.lineno}")
    assert offenders == []


def test_openapi_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn turns every drf-spectacular warning into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_openapi_schema_is_served(client):
    response = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})

    assert response.status_code == 200
    assert response.json()["info"]["title"] == settings.SPECTACULAR_SETTINGS["TITLE"]


SCHEMA_JSON = "/api/schema/?format=json"  # an endpoint every service has


def _limit_rates(monkeypatch, rates):
    # DRF copies the rates onto the classes at import time, so settings overrides do not reach them.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)


def test_anonymous_callers_are_throttled_by_ip_with_retry_after(api_client, monkeypatch):
    _limit_rates(monkeypatch, {"anon": "2/min", "user": "100/min"})

    statuses = [api_client.get(SCHEMA_JSON).status_code for _ in range(3)]
    response = api_client.get(SCHEMA_JSON)

    assert statuses == [200, 200, 429]
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["type"] == "client_error"
    assert response.json()["errors"][0]["code"] == "throttled"


def test_authenticated_callers_are_throttled_per_user(api_client, access_token_for, monkeypatch):
    _limit_rates(monkeypatch, {"anon": "100/min", "user": "2/min"})
    alice = f"Bearer {access_token_for(email='alice@example.com')}"
    bob = f"Bearer {access_token_for(email='bob@example.com')}"

    alice_statuses = [api_client.get(SCHEMA_JSON, headers={"Authorization": alice}).status_code for _ in range(3)]
    bob_status = api_client.get(SCHEMA_JSON, headers={"Authorization": bob}).status_code

    assert alice_statuses == [200, 200, 429]
    assert bob_status == 200


def test_throttled_caller_is_let_in_again_after_retry_after_at_the_steady_rate(api_client, monkeypatch):
    _limit_rates(monkeypatch, {"anon": "2/min", "user": "100/min"})
    now = 1_000_000.0
    monkeypatch.setattr(AnonRateThrottle, "timer", lambda self: now)
    burst = [api_client.get(SCHEMA_JSON).status_code for _ in range(3)]
    retry_after = int(api_client.get(SCHEMA_JSON)["Retry-After"])

    monkeypatch.setattr(AnonRateThrottle, "timer", lambda self: now + retry_after)
    after_waiting = [api_client.get(SCHEMA_JSON).status_code for _ in range(2)]

    assert burst == [200, 200, 429]
    assert retry_after == 30  # 2/min: after the burst, one request every 30 s
    assert after_waiting == [200, 429]


def test_concurrent_requests_of_one_client_cannot_share_its_last_slots(monkeypatch):
    """The limit holds under a burst of parallel requests: the read and the write of the
    client's allowance are one atomic step (a Lua script on Redis), so 40 requests racing for
    a 5/min allowance are let through exactly 5 times."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from ecom_common.testing.concurrency import race

    _limit_rates(monkeypatch, {"anon": "5/min", "user": "100/min"})
    request = Request(APIRequestFactory().get("/api/", REMOTE_ADDR="10.9.8.7"))
    request.user = AnonymousUser()
    allowed = []

    race(lambda: allowed.append(AnonRateThrottle().allow_request(request, None)), [()] * 40)

    assert sorted(allowed) == [False] * 35 + [True] * 5


@pytest.mark.django_db
def test_admin_login_asks_for_an_email_at_the_identity_service(client):
    """The identity service's admin asks for the email and password; every other admin sends
    the browser to it (OpenID Connect: authorization code, PKCE)."""
    if settings.SERVICE_NAME == "user":
        response = client.get(reverse("admin:login"))
        assert response.status_code == 200
        assert 'type="email" name="username"' in response.content.decode()
        return
    start = client.get(reverse("admin:login"), {"next": reverse("admin:index")})
    authorize = client.get(start["Location"])

    assert start["Location"] == f"{reverse('oidc_authentication_init')}?next=%2Fadmin%2F{_slug()}%2F"
    assert authorize.status_code == 302
    url, query = authorize["Location"].split("?")
    params = dict(parse_qsl(query))
    assert url == f"{settings.IDENTITY_PUBLIC_URL}/o/authorize/"
    assert (params["client_id"], params["response_type"], params["code_challenge_method"]) == (
        f"{settings.SERVICE_NAME}-admin",
        "code",
        "S256",
    )
    assert params["redirect_uri"] == f"http://testserver/admin/{_slug()}/oidc/callback/"


def _slug() -> str:
    from ecom_common import service_registry

    return service_registry.service(settings.SERVICE_NAME).admin_slug


@pytest.mark.django_db
def test_tables_live_in_the_service_schema():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = 'django_migrations'"
        )
        schemas = [row[0] for row in cursor.fetchall()]

    assert schemas == [settings.SERVICE_NAME]


@pytest.mark.parametrize("other", [name for name in NAMES if name != settings.SERVICE_NAME])
def test_role_cannot_read_another_services_schema(other):
    # Against the shared database that ops/postgres/bootstrap.sql sets up, as this service's role.
    service = settings.SERVICE_NAME
    with (
        psycopg.connect(postgres_url(service).replace("postgres://", "postgresql://")) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match=f"permission denied for schema {other}"),
    ):
        conn.execute(f'SELECT * FROM "{other}".django_migrations')


def _token(jwt_test_private_key, *, is_staff: bool) -> str:
    """A token this service accepts: the identity service looks its users up, so there the
    token names a real account."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from ecom_common.auth import keys
    from ecom_common.service_registry import IDENTITY
    from ecom_common.testing.plugin import sign_token

    claims = {"is_staff": is_staff}
    if settings.SERVICE_NAME == IDENTITY:
        user = get_user_model().objects.create_user(f"{uuid.uuid4().hex[:8]}@example.com", None, is_staff=is_staff)
        claims["user_id"] = str(user.pk)
    return sign_token(keys.private_key_pem() or jwt_test_private_key, **claims)


@pytest.mark.django_db
def test_the_staff_summary_is_for_staff_only_and_counts_the_event_bus(api_client, jwt_test_private_key):
    from django.conf import settings

    from ecom_common.models import DeadLetter

    DeadLetter.objects.create(handler="h", event_id=uuid.uuid4(), event_type="x.y", envelope={}, error="boom")
    url = "/internal/staff-summary/"

    anonymous = api_client.get(url)
    customer = api_client.get(url, headers={"Authorization": f"Bearer {_token(jwt_test_private_key, is_staff=False)}"})
    staff = api_client.get(url, headers={"Authorization": f"Bearer {_token(jwt_test_private_key, is_staff=True)}"})

    assert (anonymous.status_code, customer.status_code, staff.status_code) == (401, 403, 200)
    body = staff.json()
    assert (body["service"], body["dead_letters_open"]) == (settings.SERVICE_NAME, 1)
    assert isinstance(body["outbox_backlog"], int) and isinstance(body["figures"], dict)
