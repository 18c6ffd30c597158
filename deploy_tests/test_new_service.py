"""`make service NAME=...` (scripts/new-service), rehearsed on a copy of this checkout: the new
service checks, has no missing migration, and every file the registry drives names it."""

import os
import subprocess
import sys

import pytest

from deploy_tests.conftest import REPO_DIR


@pytest.fixture(scope="module")
def stamped(tmp_path_factory):
    """A copy of the checkout (tracked and new files, as a fresh clone would have them) with a
    `loyalty` service stamped in it."""
    copy = tmp_path_factory.mktemp("checkout")
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO_DIR, capture_output=True, check=True
    ).stdout
    archive = subprocess.run(
        ["tar", "-c", "--null", "-T", "-", "-f", "-"], cwd=REPO_DIR, input=files, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-f", "-"], cwd=copy, input=archive, check=True)
    result = subprocess.run(
        [sys.executable, "scripts/new-service", "loyalty", "--title", "Loyalty points"],
        cwd=copy,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return copy


def _run(copy, *command, cwd=None):
    # The copy's ecom_common (its registry has the new entry), not the installed checkout's.
    env = {**os.environ, "PYTHONPATH": str(copy / "common"), "ECOM_VAR_DIR": str(copy / "var")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(command, cwd=cwd or copy, env=env, capture_output=True, text=True, timeout=300)


def test_the_new_service_is_a_django_project_that_checks_with_no_migration_missing(stamped):
    service = stamped / "loyalty_service"

    check = _run(stamped, sys.executable, "manage.py", "check", cwd=service)
    migrations = _run(stamped, sys.executable, "manage.py", "makemigrations", "--check", "--dry-run", cwd=service)

    assert (check.returncode, check.stderr) == (0, "")
    assert "System check identified no issues" in check.stdout
    assert (migrations.returncode, migrations.stdout.strip()) == (0, "No changes detected")


def test_every_file_the_registry_drives_names_the_new_service(stamped):
    rendered = _run(stamped, sys.executable, "ops/render.py", "--check")
    drift = _run(
        stamped,
        sys.executable,
        "-m",
        "pytest",
        "deploy_tests/test_registry.py",
        "deploy_tests/test_manifests.py",
        "-p",
        "no:ecom_common",
        "-p",
        "no:cacheprovider",
        "-q",
    )

    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    assert drift.returncode == 0, drift.stdout[-3000:]
    assert 'Service(name="loyalty", port=8007' in (stamped / "common/ecom_common/service_registry.py").read_text()
    assert "loyalty-worker: cd loyalty_service" in (stamped / "Procfile").read_text()
    assert "name: loyalty-service-secrets" in (stamped / "k8s/overlays/dev/kustomization.yaml").read_text()


def test_a_name_already_taken_is_refused_and_nothing_is_written(stamped):
    before = (stamped / "common/ecom_common/service_registry.py").read_text()

    result = _run(stamped, sys.executable, "scripts/new-service", "order")

    assert result.returncode == 1
    assert "order: there is a service of that name already" in result.stderr
    assert (stamped / "common/ecom_common/service_registry.py").read_text() == before
