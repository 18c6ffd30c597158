import pytest
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db


def run_ensure_admin() -> str:
    from io import StringIO

    out = StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


def test_ensure_admin_creates_then_updates_the_account(monkeypatch):
    # given
    monkeypatch.setenv("ECOM_ADMIN_EMAIL", "Ops@Example.com")
    monkeypatch.setenv("ECOM_ADMIN_PASSWORD", "first-password")

    # when
    first_output = run_ensure_admin()
    monkeypatch.setenv("ECOM_ADMIN_PASSWORD", "second-password")
    second_output = run_ensure_admin()

    # then
    assert first_output == "Created staff superuser ops@example.com.\n"
    assert second_output == "Updated staff superuser ops@example.com.\n"
    user = User.objects.get()
    assert (user.email, user.is_staff, user.is_superuser, user.is_active) == ("ops@example.com", True, True, True)
    assert user.check_password("second-password")


def test_ensure_admin_uses_the_development_defaults_with_debug_on(monkeypatch, settings):
    settings.DEBUG = True
    monkeypatch.delenv("ECOM_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("ECOM_ADMIN_PASSWORD", raising=False)

    output = run_ensure_admin()

    assert output == "Created staff superuser admin@example.com.\n"
    assert User.objects.get().check_password("admin")


def test_ensure_admin_requires_both_variables_with_debug_off(monkeypatch, settings):
    settings.DEBUG = False
    monkeypatch.setenv("ECOM_ADMIN_EMAIL", "ops@example.com")
    monkeypatch.delenv("ECOM_ADMIN_PASSWORD", raising=False)

    with pytest.raises(CommandError) as raised:
        run_ensure_admin()

    assert "ECOM_ADMIN_EMAIL and ECOM_ADMIN_PASSWORD are both required" in str(raised.value)
    assert not User.objects.exists()
