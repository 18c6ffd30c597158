"""What the production settings refuse and what they keep, each service loaded in a process of its
own with the environment a deployment gives it (no servers needed: settings and checks only)."""

import os
import secrets
import subprocess
import sys

import pytest

from deploy_tests.conftest import REPO_DIR, SERVICES

A_SECRET = secrets.token_urlsafe(50)


def production_env(service: str, **overrides: str) -> dict[str, str]:
    """What a container of ``service`` gets in production, with nothing inherited from this
    machine's development settings."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "PAYMENT_", "MEDIA_", "CELERY_", "REDIS_"))
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": f"{service}_service.settings.production",
        "DJANGO_SECRET_KEY": A_SECRET,
        "DJANGO_ALLOWED_HOSTS": "shop.example.com",
        "STATIC_ROOT": "/tmp/static",
        "ECOM_VAR_DIR": "/tmp/ecom-production-settings-test",
        "JWT_PRIVATE_KEY": "unused by these tests",
    }
    if service == "payment":
        environment |= {
            "PAYMENT_PROVIDER": "payments.providers.sandbox.SandboxProvider",
            "PAYMENT_ALLOW_SANDBOX": "true",
        }
    return environment | overrides


def run_python(service: str, code: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=REPO_DIR / f"{service}_service",
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def manage(service: str, *arguments: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=REPO_DIR / f"{service}_service",
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("service", SERVICES)
def test_production_settings_load_with_a_real_secret(service):
    result = run_python(service, "from django.conf import settings; print(settings.DEBUG)", production_env(service))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    "placeholder",
    [
        "change-me",
        "collectstatic-only-not-a-secret",
        "x" * 60,  # long, but five different characters at least
        secrets.token_urlsafe(30),  # random, but 40 characters
        "django-insecure-" + secrets.token_urlsafe(50),
        secrets.token_urlsafe(30) + "-change-me-" + secrets.token_urlsafe(10),
    ],
)
@pytest.mark.parametrize("service", ["product", "payment"])
def test_production_refuses_a_placeholder_secret_key(service, placeholder):
    result = run_python(service, "pass", production_env(service, DJANGO_SECRET_KEY=placeholder))

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY" in result.stderr


def test_production_payment_settings_refuse_to_start_without_a_provider():
    environment = production_env("payment")
    del environment["PAYMENT_PROVIDER"]

    result = run_python("payment", "pass", environment)

    assert result.returncode != 0
    assert "Set the PAYMENT_PROVIDER environment variable" in result.stderr


def test_production_payment_settings_refuse_the_sandbox_unless_a_demo_allows_it():
    environment = production_env("payment")
    del environment["PAYMENT_ALLOW_SANDBOX"]

    result = run_python("payment", "pass", environment)

    assert result.returncode != 0
    assert "PAYMENT_PROVIDER is the sandbox, which approves test cards" in result.stderr


def test_check_deploy_fails_on_the_sandbox_provider_in_any_settings():
    """The development settings default to the sandbox: `check --deploy` says it may not ship."""
    environment = production_env("payment", DJANGO_SETTINGS_MODULE="payment_service.settings.local")
    del environment["PAYMENT_PROVIDER"], environment["PAYMENT_ALLOW_SANDBOX"]

    result = manage("payment", "check", "--deploy", environment=environment)

    assert result.returncode != 0
    assert "payments.E001" in result.stderr


def test_check_deploy_passes_the_sandbox_a_demo_asked_for():
    environment = production_env("payment", DJANGO_SETTINGS_MODULE="payment_service.settings.local")

    result = manage("payment", "check", "--deploy", environment=environment)

    assert "System check identified" in result.stdout + result.stderr  # it ran
    assert "payments.E001" not in result.stdout + result.stderr


def test_production_keeps_the_media_bucket_the_catalog_chose():
    """base.py stores product images in the bucket when MEDIA_BUCKET is set; production settings
    add the compressed static files without dropping it."""
    environment = production_env("product", MEDIA_BUCKET="ecom-product-media", MEDIA_URL="https://media.example.com/")
    code = "from django.conf import settings; s = settings.STORAGES; print(s['default']['BACKEND'], s['staticfiles']['BACKEND'])"

    result = run_python("product", code, environment)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def test_production_without_a_bucket_stores_media_on_disk():
    code = "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"

    result = run_python("product", code, production_env("product"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.files.storage.FileSystemStorage"


def test_a_sqlite_database_url_is_sqlite(tmp_path):
    """It was taken for PostgreSQL (its engine replaced, a search_path option added)."""
    environment = production_env("order", DATABASE_URL=f"sqlite:///{tmp_path}/order.sqlite3")
    code = "from django.db import connection; connection.ensure_connection(); print(connection.vendor, connection.settings_dict['NAME'])"

    result = run_python("order", code, environment)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite", f"{tmp_path}/order.sqlite3"]
